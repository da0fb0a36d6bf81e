/**
 * The encryption scheme: the key-encryption key (local or AWS KMS), payload encryption of
 * the request log, redaction of personal data, the installation's signing key.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Cryptography")
package dev.warden.platform.crypto;
