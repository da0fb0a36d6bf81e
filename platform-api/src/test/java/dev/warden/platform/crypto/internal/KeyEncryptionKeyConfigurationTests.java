package dev.warden.platform.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.crypto.CryptoProperties;
import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.system.WardenProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which key-encryption key {@code warden.crypto.kek-uri} selects, and the start-up errors
 * for unusable settings. The local key is exercised for real; AWS KMS cannot be reached
 * from a test, so only its selection and credential checks are (no call goes to KMS
 * before a keyset is wrapped).
 */
class KeyEncryptionKeyConfigurationTests {

	private static final String AWS_KEY = "aws-kms://arn:aws:kms:eu-west-1:111122223333:key/"
			+ "1234abcd-12ab-34cd-56ef-1234567890ab";

	@TempDir
	Path dataDir;

	private KeyEncryptionKeyProvider select(String uri, String credentials, String masterKey) throws Exception {
		return KeyEncryptionKeyConfiguration.select(new CryptoProperties(uri, credentials, Duration.ofSeconds(60)),
				new WardenProperties(this.dataDir, this.dataDir, masterKey, ""));
	}

	@Test
	void noUriSelectsTheLocalKeyCreatedOnFirstStartWithOwnerOnlyMode() throws Exception {
		KeyEncryptionKeyProvider first = select(null, null, "");
		assertThat(first).isInstanceOf(LocalKeyEncryptionKey.class);
		assertThat(first.id()).isEqualTo("local");
		Path file = this.dataDir.resolve("master-key.json");
		assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

		byte[] wrapped = first.aead().encrypt("k".getBytes(StandardCharsets.UTF_8), new byte[] { 1 });
		KeyEncryptionKeyProvider second = select("local", null, "");
		assertThat(second.aead().decrypt(wrapped, new byte[] { 1 })).containsExactly('k');
		assertThatExceptionOfType(java.security.GeneralSecurityException.class)
			.isThrownBy(() -> second.aead().decrypt(wrapped, new byte[] { 2 }));
	}

	@Test
	void aConfiguredMasterKeyIsUsedAndNoFileIsWritten() throws Exception {
		String json = PayloadCrypto.toJson(PayloadCrypto.newKeyset());
		KeyEncryptionKeyProvider kek = select("", null, json);
		Aead same = PayloadCrypto.masterAead(json);
		assertThat(same.decrypt(kek.aead().encrypt(new byte[] { 5 }, new byte[0]), new byte[0])).containsExactly(5);
		assertThat(this.dataDir.resolve("master-key.json")).doesNotExist();
	}

	@Test
	void anAwsKmsUriWithACredentialsFileSelectsAwsKms() throws Exception {
		Path credentials = this.dataDir.resolve("aws.properties");
		Files.writeString(credentials, "accessKey=AKIAEXAMPLEEXAMPLE00\nsecretKey=example-secret-not-real\n");
		KeyEncryptionKeyProvider kek = select(AWS_KEY, credentials.toString(), "");
		assertThat(kek).isInstanceOf(AwsKmsKeyEncryptionKey.class);
		assertThat(kek.id()).isEqualTo(AWS_KEY);
		assertThat(kek.aead()).isNotNull();
		assertThat(this.dataDir.resolve("master-key.json")).doesNotExist();
	}

	@Test
	void anAwsKmsUriWithoutCredentialsIsAStartupErrorNamingTheSetting() {
		assertThatThrownBy(() -> select(AWS_KEY, null, "")).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("warden.crypto.kek-credentials")
			.hasMessageContaining("is required");
		assertThatThrownBy(() -> select(AWS_KEY, this.dataDir.resolve("missing.properties").toString(), ""))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("warden.crypto.kek-credentials")
			.hasMessageContaining("does not exist");
	}

	@Test
	void malformedOrUnsupportedUrisAreStartupErrors() {
		assertThatThrownBy(() -> select("aws-kms://not-an-arn", "default", ""))
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("is not an AWS KMS key URI");
		assertThatThrownBy(() -> select("vault://secret/warden", null, "")).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("warden.crypto.kek-uri")
			.hasMessageContaining("unsupported key URI 'vault://secret/warden'");
	}

	@Test
	void keysGivenInTheSettingsAreUsedAndNoKeyFileIsWritten() throws Exception {
		SignatureConfig.register();
		String master = PayloadCrypto.toJson(PayloadCrypto.newKeyset());
		String signing = TinkJsonProtoKeysetFormat.serializeKeyset(
				KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519), InsecureSecretKeyAccess.get());
		Base64.Encoder base64 = Base64.getEncoder();
		try (WardenTestApp app = WardenTestApp.start(this.dataDir,
				Map.of("warden.master-key", base64.encodeToString(master.getBytes(StandardCharsets.UTF_8)),
						"warden.signing-key", base64.encodeToString(signing.getBytes(StandardCharsets.UTF_8))))) {
			Aead configured = PayloadCrypto.masterAead(master);
			Aead used = app.bean(KeyEncryptionKeyProvider.class).aead();
			assertThat(configured.decrypt(used.encrypt(new byte[] { 7 }, new byte[0]), new byte[0])).containsExactly(7);
			assertThat(app.bean(SigningKeys.class).publicKeysetJson())
				.isEqualTo(TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(
						TinkJsonProtoKeysetFormat.parseKeyset(signing, InsecureSecretKeyAccess.get())
							.getPublicKeysetHandle()));
		}
		assertThat(this.dataDir.resolve("master-key.json")).doesNotExist();
		assertThat(this.dataDir.resolve("signing-key.json")).doesNotExist();
	}

	@Test
	void theApplicationRefusesToStartWithAKmsKeyAndNoCredentials() {
		assertThatThrownBy(() -> WardenTestApp.start(this.dataDir, Map.of("warden.crypto.kek-uri", AWS_KEY)))
			.rootCause()
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("warden.crypto.kek-credentials (WARDEN_CRYPTO_KEK_CREDENTIALS) is required");
		assertThat(this.dataDir.resolve("master-key.json")).doesNotExist();
	}

}
