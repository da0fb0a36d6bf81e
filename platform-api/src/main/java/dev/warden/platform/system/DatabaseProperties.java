package dev.warden.platform.system;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Database settings ({@code warden.database.*}). An empty {@code url} means: start the embedded PostgreSQL
 * under {@code <data dir>/postgres}.
 */
@ConfigurationProperties("warden.database")
record DatabaseProperties(@DefaultValue("") String url, @DefaultValue("") String username,
		@DefaultValue("") String password, @DefaultValue("10") int poolSize,
		@DefaultValue("3s") Duration connectionTimeout) {

	boolean external() {
		return this.url != null && !this.url.isBlank();
	}

}
