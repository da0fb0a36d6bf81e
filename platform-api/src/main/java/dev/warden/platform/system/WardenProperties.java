package dev.warden.platform.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Installation-wide settings ({@code warden.*}).
 *
 * @param dataDir directory holding the embedded PostgreSQL data, the master key and the demo API key
 * @param policiesDir directory holding the governance policy files (falls back to the copy packaged in the jar)
 */
@ConfigurationProperties("warden")
public record WardenProperties(@DefaultValue("data") Path dataDir, @DefaultValue("policies") Path policiesDir) {
}
