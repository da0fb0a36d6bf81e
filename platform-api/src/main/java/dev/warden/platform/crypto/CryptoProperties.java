package dev.warden.platform.crypto;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Encryption settings ({@code warden.crypto.*}); see docs/configuration.md.
 *
 * @param kekUri the key-encryption key: empty or {@code local} = the local key
 * ({@code warden.master-key} or {@code <data dir>/master-key.json});
 * {@code aws-kms://arn:aws:kms:...} = a key in AWS KMS
 * @param kekCredentials credentials for the KMS: path of an AWS credentials properties
 * file, or {@code default}
 * @param dataKeyCacheTtl how long an unwrapped tenant keyset is kept in memory for
 * encrypting new payloads; bounds how late a replica starts using a key rotated by
 * another replica
 */
@ConfigurationProperties("warden.crypto")
public record CryptoProperties(String kekUri, String kekCredentials, @DefaultValue("60s") Duration dataKeyCacheTtl) {
}
