package dev.warden.worker.storesync;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The model store sync's settings, next to the store's own
 * ({@code warden.worker.model-store.*}).
 *
 * @param sync copy the versions of the platform's model store into the local store
 * (WARDEN_MODEL_STORE_SYNC); needs {@code warden.registration.platform-url} and the
 * registration token
 * @param syncMaxBytes largest archive downloaded, and largest total its files may unpack
 * to
 * @param syncMaxEntries most entries (files and directories) an archive may have
 * @param syncConnectTimeout bound of connecting to the platform
 * @param syncReadTimeout bound of each wait for the platform's answer or its next bytes
 * @param syncStartupWait how long a starting worker tries to list the platform's store
 * before its startup pass (the versions of the first pass that lists it are copied and
 * then loaded by the startup pass, so the worker is ready only with them); past it the
 * worker starts with its local store as it is and syncs in the background
 * @param syncKeepLatest how many of each model's newest listed versions the local cache
 * holds besides those the platform routes to this worker and those it serves: only those
 * are copied, and a copied version outside them is deleted once the platform's desired
 * state is known; 0 copies and keeps every version (keep it at least the version policy's
 * {@code latest} N)
 */
@ConfigurationProperties("warden.worker.model-store")
public record StoreSyncProperties(boolean sync, @DefaultValue("2GB") DataSize syncMaxBytes,
		@DefaultValue("10000") int syncMaxEntries, @DefaultValue("5s") Duration syncConnectTimeout,
		@DefaultValue("30s") Duration syncReadTimeout, @DefaultValue("60s") Duration syncStartupWait,
		@DefaultValue("3") int syncKeepLatest) {

	public StoreSyncProperties {
		if (syncMaxBytes.toBytes() <= 0 || syncMaxEntries <= 0) {
			throw new IllegalArgumentException("warden.worker.model-store.sync-max-* must be positive");
		}
		if (syncConnectTimeout.isNegative() || syncConnectTimeout.isZero() || syncReadTimeout.isNegative()
				|| syncReadTimeout.isZero()) {
			throw new IllegalArgumentException("warden.worker.model-store.sync-*-timeout must be positive");
		}
		if (syncKeepLatest < 0) {
			throw new IllegalArgumentException("warden.worker.model-store.sync-keep-latest must not be negative");
		}
		if (syncStartupWait.isNegative()) {
			throw new IllegalArgumentException("warden.worker.model-store.sync-startup-wait must not be negative");
		}
	}

}
