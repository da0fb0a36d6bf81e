import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;

/**
 * Prints a new Tink keyset, as base64 of its JSON, on one line: {@code aead} (AES256_GCM, the master key
 * WARDEN_MASTER_KEY) or {@code signature} (ED25519, the audit signing key WARDEN_SIGNING_KEY). Run by
 * docker/make-env.sh with the Tink jars of the platform-api jar on the class path (java's source launcher).
 */
public final class TinkKeyset {

	private TinkKeyset() {
	}

	public static void main(String[] args) throws Exception {
		KeysetHandle handle;
		if (args.length == 1 && args[0].equals("aead")) {
			AeadConfig.register();
			handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
		}
		else if (args.length == 1 && args[0].equals("signature")) {
			SignatureConfig.register();
			handle = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
		}
		else {
			System.err.println("usage: TinkKeyset aead|signature");
			System.exit(2);
			return;
		}
		String json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
		System.out.println(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
	}

}
