package dev.warden.worker.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on what a client may send to the worker.
 *
 * @param maxRequestBytes largest request body accepted, on every API; larger bodies get
 * 413 (a plain number is bytes; {@code 16MB} is 16 MiB)
 */
@ConfigurationProperties("warden.worker")
record RequestLimitProperties(@DefaultValue("16MB") DataSize maxRequestBytes) {

	RequestLimitProperties {
		if (maxRequestBytes.toBytes() < 1 || maxRequestBytes.toBytes() > Integer.MAX_VALUE - 16) {
			throw new IllegalArgumentException(
					"warden.worker.max-request-bytes must be between 1 byte and 2 GB, got " + maxRequestBytes);
		}
	}

}
