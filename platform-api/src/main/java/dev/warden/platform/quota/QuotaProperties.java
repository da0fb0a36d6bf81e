package dev.warden.platform.quota;

import java.time.Duration;

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
 * @param plansReloadInterval how often {@link QuotaPlanReloader} reads
 * {@code quotas.yaml} for changes, and how long after the start it first does
 * (WARDEN_QUOTA_PLANS_RELOAD_INTERVAL)
 */
@ConfigurationProperties("warden.quota")
record QuotaProperties(@DefaultValue("false") boolean durableCommit, @DefaultValue("1s") Duration plansReloadInterval) {
}
