package dev.warden.worker.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on what a client may send to the worker.
 *
 * @param maxRequestBytes largest request body accepted, on every API but the archive form
 * of the validation endpoint; larger bodies get 413 (a plain number is bytes;
 * {@code 16MB} is 16 MiB)
 * @param maxValidationBytes largest version archive accepted by
 * {@code POST /internal/v1/validate} with {@code Content-Type: application/zip} (the
 * gateway sends every upload there): at least the gateway's
 * {@code warden.models.upload.max-bytes}; larger archives get 413
 */
@ConfigurationProperties("warden.worker")
public record RequestLimitProperties(@DefaultValue("16MB") DataSize maxRequestBytes,
		@DefaultValue("512MB") DataSize maxValidationBytes) {

	public RequestLimitProperties {
		if (maxRequestBytes.toBytes() < 1 || maxRequestBytes.toBytes() > Integer.MAX_VALUE - 16) {
			throw new IllegalArgumentException(
					"warden.worker.max-request-bytes must be between 1 byte and 2 GB, got " + maxRequestBytes);
		}
		if (maxValidationBytes.toBytes() < 1) {
			throw new IllegalArgumentException(
					"warden.worker.max-validation-bytes must be at least 1 byte, got " + maxValidationBytes);
		}
	}

}
