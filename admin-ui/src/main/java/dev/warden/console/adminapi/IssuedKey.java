package dev.warden.console.adminapi;

/**
 * A key just created: its metadata and the raw secret, which platform-api sends in this
 * one answer only. {@link #toString()} leaves the secret out, so that it cannot reach a
 * log by accident.
 *
 * @param key the key's metadata
 * @param secret the raw key, to hand to the tenant once
 */
public record IssuedKey(TenantKey key, String secret) {

	@Override
	public String toString() {
		return "IssuedKey[key=" + this.key + ", secret=(not shown)]";
	}

}
