package dev.warden.platform.export;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Compliance export settings ({@code warden.exports.*}).
 *
 * @param fetchSize rows fetched per round trip from the database cursor
 * @param pdfMaxRows largest export served as PDF; larger ones are refused (400) in favour
 * of CSV or NDJSON
 * @param maxConcurrent exports running at once on this replica (each holds one database
 * connection while it streams); more are answered 429
 */
@ConfigurationProperties("warden.exports")
record ExportProperties(@DefaultValue("1000") int fetchSize, @DefaultValue("100000") long pdfMaxRows,
		@DefaultValue("2") int maxConcurrent) {
}
