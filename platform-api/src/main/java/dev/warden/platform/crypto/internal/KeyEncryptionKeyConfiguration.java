package dev.warden.platform.crypto.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.warden.platform.crypto.CryptoProperties;
import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.system.WardenProperties;

/**
 * Chooses the {@link KeyEncryptionKeyProvider} from {@code warden.crypto.kek-uri}: empty
 * or {@code local} = the local key, {@code aws-kms://...} = AWS KMS. Anything else, or a
 * KMS key without usable credentials, stops the start with a message naming the setting.
 */
@Configuration(proxyBeanMethods = false)
class KeyEncryptionKeyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKeyConfiguration.class);

	@Bean
	KeyEncryptionKeyProvider keyEncryptionKey(CryptoProperties crypto, WardenProperties warden)
			throws IOException, GeneralSecurityException {
		return select(crypto, warden);
	}

	static KeyEncryptionKeyProvider select(CryptoProperties crypto, WardenProperties warden)
			throws IOException, GeneralSecurityException {
		String uri = (crypto.kekUri() != null) ? crypto.kekUri().strip() : "";
		if (uri.isEmpty() || LocalKeyEncryptionKey.ID.equals(uri)) {
			return LocalKeyEncryptionKey.load(warden.dataDir(), warden.masterKey());
		}
		if (uri.startsWith(AwsKmsKeyEncryptionKey.PREFIX)) {
			AwsKmsKeyEncryptionKey kek = AwsKmsKeyEncryptionKey.create(uri, crypto.kekCredentials());
			log.info("Key-encryption key: AWS KMS key {}", uri);
			return kek;
		}
		throw new IllegalStateException("warden.crypto.kek-uri (WARDEN_CRYPTO_KEK_URI): unsupported key URI '" + uri
				+ "'; expected empty or 'local' (local key file) or aws-kms://arn:aws:kms:<region>:<account>:key/<id>");
	}

}
