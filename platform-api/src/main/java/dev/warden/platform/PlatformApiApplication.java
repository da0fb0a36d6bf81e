package dev.warden.platform;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Warden platform-api: the gateway (data plane) in front of the inference workers and the
 * admin REST API (control plane). It owns the PostgreSQL schema (Flyway, module
 * {@code migrations}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PlatformApiApplication {

	public static void main(String[] args) {
		SpringApplication.run(PlatformApiApplication.class, args);
	}

}
