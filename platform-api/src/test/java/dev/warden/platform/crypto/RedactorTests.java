package dev.warden.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedactorTests {

	private static final RedactionRules ALL = new RedactionRules(true, true, true, "ZZ");

	@Test
	void emailsAreReplacedInsideJsonStrings() {
		Redactor.Result result = Redactor.redact("{\"contact\":\"jane.doe+ml@example.co.uk\",\"cc\":\"a@b.io\"}", ALL);
		assertThat(result.text()).isEqualTo("{\"contact\":\"[REDACTED_EMAIL]\",\"cc\":\"[REDACTED_EMAIL]\"}");
		assertThat(result.emails()).isEqualTo(2);
		assertThat(result.count()).isEqualTo(2);
	}

	@Test
	void onlyCardNumbersPassingTheLuhnCheckAreReplaced() {
		// 4111 1111 1111 1111 and 5500-0000-0000-0004 are the classic test numbers
		// (Luhn-valid)
		Redactor.Result result = Redactor
			.redact("pay 4111 1111 1111 1111 or 5500-0000-0000-0004 or 378282246310005; not 4111111111111112", ALL);
		assertThat(result.text())
			.isEqualTo("pay [REDACTED_CARD] or [REDACTED_CARD] or [REDACTED_CARD]; not 4111111111111112");
		assertThat(result.cardNumbers()).isEqualTo(3);
	}

	@Test
	void luhn() {
		assertThat(Redactor.luhn("4111111111111111")).isTrue();
		assertThat(Redactor.luhn("4111-1111-1111-1111")).isTrue();
		assertThat(Redactor.luhn("4111111111111112")).isFalse();
		assertThat(Redactor.luhn("0000000000")).isFalse(); // too short for a card
	}

	@Test
	void phoneNumbersInInternationalFormatAndNationalFormatWithARegion() {
		Redactor.Result international = Redactor.redact("call +1 650-253-0000 or +49 30 901820", ALL);
		assertThat(international.text()).isEqualTo("call [REDACTED_PHONE] or [REDACTED_PHONE]");
		assertThat(international.phoneNumbers()).isEqualTo(2);

		String national = "call (650) 253-0000 today";
		assertThat(Redactor.redact(national, ALL).text()).isEqualTo(national);
		assertThat(Redactor.redact(national, new RedactionRules(false, true, false, "US")).text())
			.isEqualTo("call [REDACTED_PHONE] today");
	}

	@Test
	void modelFeaturesDatesAndFloatsAreLeftAlone() {
		String features = "{\"instances\":[{\"age\":39,\"fnlwgt\":77516,\"capital_gain\":2174,\"ratio\":0.123456789012345,"
				+ "\"date\":\"2026-11-29\",\"id\":12345678}]}";
		Redactor.Result result = Redactor.redact(features, new RedactionRules(true, true, true, "US"));
		assertThat(result.text()).isEqualTo(features);
		assertThat(result.count()).isZero();
	}

	@Test
	void rulesSelectWhatIsRedacted() {
		String text = "jane@example.com 4111111111111111 +16502530000";
		assertThat(Redactor.redact(text, new RedactionRules(true, false, false, "ZZ")).text())
			.isEqualTo("[REDACTED_EMAIL] 4111111111111111 +16502530000");
		assertThat(Redactor.redact(text, new RedactionRules(false, false, true, "ZZ")).text())
			.isEqualTo("jane@example.com [REDACTED_CARD] +16502530000");
		assertThat(Redactor.redact(text, RedactionRules.NONE).text()).isEqualTo(text);
		assertThat(Redactor.redact(text, ALL).count()).isEqualTo(3);
	}

	@Test
	void bytesThatAreNotUtf8AreLeftAsTheyAre() {
		byte[] binary = { (byte) 0xff, (byte) 0xfe, 'a', '@', 'b', '.', 'i', 'o' };
		Redactor.Bytes result = Redactor.redact(binary, ALL);
		assertThat(result.payload()).isSameAs(binary);
		assertThat(result.count()).isZero();
		assertThat(Redactor.redact((byte[]) null, ALL).payload()).isNull();
		Redactor.Bytes text = Redactor.redact("x@y.org".getBytes(StandardCharsets.UTF_8), ALL);
		assertThat(new String(text.payload(), StandardCharsets.UTF_8)).isEqualTo("[REDACTED_EMAIL]");
		assertThat(text.count()).isEqualTo(1);
	}

	@Test
	void policyGivesDefaultsAndPerTenantOverrides() {
		UUID special = UUID.fromString("0b8a9c1e-2f34-4d56-8a7b-9c0d1e2f3a4b");
		RedactionPolicy policy = RedactionPolicy.parse("""
				redaction:
				  default:
				    emails: true
				    phone_numbers: true
				    card_numbers: true
				  tenants:
				    0b8a9c1e-2f34-4d56-8a7b-9c0d1e2f3a4b:
				      emails: false
				      phone_region: de
				""");
		assertThat(policy.rulesFor(UUID.randomUUID())).isEqualTo(new RedactionRules(true, true, true, "ZZ"));
		assertThat(policy.rulesFor(special)).isEqualTo(new RedactionRules(false, true, true, "DE"));
		assertThat(policy.rulesFor(null)).isEqualTo(RedactionRules.NONE);
		Redactor.Bytes redacted = policy.redact(special, "a@b.io 030 901820".getBytes(StandardCharsets.UTF_8));
		assertThat(new String(redacted.payload(), StandardCharsets.UTF_8)).isEqualTo("a@b.io [REDACTED_PHONE]");
		assertThat(RedactionPolicy.parse("retention: {}").rulesFor(special)).isEqualTo(RedactionRules.NONE);
	}

	@Test
	void invalidPolicyValuesNameTheField() {
		assertThatThrownBy(() -> RedactionPolicy.parse("redaction:\n  default:\n    emails: maybe\n"))
			.hasMessageContaining("redaction.default.emails must be true or false");
		assertThatThrownBy(() -> RedactionPolicy.parse("redaction:\n  default:\n    emial: true\n"))
			.hasMessageContaining("redaction.default.emial is unknown");
		assertThatThrownBy(() -> RedactionPolicy.parse("redaction:\n  tenants:\n    acme:\n      emails: false\n"))
			.hasMessageContaining("'acme' is not a tenant id");
		assertThatThrownBy(() -> RedactionPolicy.parse("redaction:\n  default:\n    phone_region: XX\n"))
			.hasMessageContaining("phone_region 'XX'");
	}

	@Test
	void thePackagedPolicyParses() throws Exception {
		String yaml = new String(getClass().getResourceAsStream("/policies/logging.yaml").readAllBytes(),
				StandardCharsets.UTF_8);
		assertThat(RedactionPolicy.parse(yaml).rulesFor(UUID.randomUUID()))
			.isEqualTo(new RedactionRules(true, true, true, "ZZ"));
	}

}
