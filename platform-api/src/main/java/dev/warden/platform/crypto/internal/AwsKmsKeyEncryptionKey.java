package dev.warden.platform.crypto.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import com.google.crypto.tink.integration.awskms.AwsKmsClient;

import dev.warden.platform.crypto.KeyEncryptionKeyProvider;

/**
 * A key-encryption key held by AWS KMS, used through Tink's {@link AwsKmsClient}:
 * wrapping a tenant keyset is a KMS {@code Encrypt} call, unwrapping a {@code Decrypt}
 * call (the key material never leaves KMS). The region is taken from the key ARN.
 * <p>
 * Credentials ({@code warden.crypto.kek-credentials}): the path of an AWS credentials
 * properties file ({@code accessKey=...}, {@code secretKey=...}) or the word
 * {@code default} for the AWS default credential chain (environment, system properties,
 * profile, container or instance role). Nothing is contacted at start-up; the first
 * tenant keyset that is wrapped or unwrapped calls KMS.
 */
public final class AwsKmsKeyEncryptionKey implements KeyEncryptionKeyProvider {

	/**
	 * The URI scheme of an AWS KMS key:
	 * {@code aws-kms://arn:aws:kms:<region>:<account>:key/<id>}.
	 */
	public static final String PREFIX = AwsKmsClient.PREFIX;

	private final String uri;

	private final Aead aead;

	private AwsKmsKeyEncryptionKey(String uri, Aead aead) {
		this.uri = uri;
		this.aead = aead;
	}

	/**
	 * @param uri {@code aws-kms://arn:aws:kms:...}
	 * @param credentials a credentials file path, or {@code default}
	 * @throws IllegalStateException with a message naming the setting when the URI or
	 * credentials are unusable
	 */
	public static AwsKmsKeyEncryptionKey create(String uri, String credentials) {
		if (!uri.startsWith(PREFIX + "arn:aws")) {
			throw new IllegalStateException("warden.crypto.kek-uri: '" + uri + "' is not an AWS KMS key URI; expected "
					+ PREFIX + "arn:aws:kms:<region>:<account>:key/<key id>");
		}
		if (credentials == null || credentials.isBlank()) {
			throw new IllegalStateException("warden.crypto.kek-credentials (WARDEN_CRYPTO_KEK_CREDENTIALS) is required "
					+ "with an AWS KMS key-encryption key: give the path of an AWS credentials properties file "
					+ "(accessKey=..., secretKey=...) or 'default' for the AWS default credential chain");
		}
		try {
			KmsClient client;
			if ("default".equals(credentials.strip())) {
				client = new AwsKmsClient(uri).withDefaultCredentials();
			}
			else {
				Path file = Path.of(credentials.strip());
				if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
					throw new IllegalStateException("warden.crypto.kek-credentials: the AWS credentials file '" + file
							+ "' does not exist or is not readable");
				}
				client = new AwsKmsClient(uri).withCredentials(file.toString());
			}
			return new AwsKmsKeyEncryptionKey(uri, client.getAead(uri));
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			if (ex instanceof IllegalStateException illegal && illegal.getMessage().startsWith("warden.crypto")) {
				throw illegal;
			}
			throw new IllegalStateException("warden.crypto.kek-uri: the AWS KMS key '" + uri
					+ "' cannot be used with the configured credentials: " + ex.getMessage(), ex);
		}
	}

	@Override
	public String id() {
		return this.uri;
	}

	@Override
	public Aead aead() {
		return this.aead;
	}

}
