package dev.warden.platform.quota;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the quota buckets ({@code warden.quota.*}).
 *
 * @param durableCommit {@code true}: every bucket update waits for its WAL flush
 * (synchronous_commit as the database has it); {@code false}: bucket transactions commit
 * with {@code SET LOCAL synchronous_commit = off}, which keeps them exact across replicas
 * (row locks and visibility are unchanged) but may lose the last few hundred milliseconds
 * of bucket updates if PostgreSQL itself crashes, re-admitting at most that many requests
 */
@ConfigurationProperties("warden.quota")
record QuotaProperties(@DefaultValue("false") boolean durableCommit) {
}
