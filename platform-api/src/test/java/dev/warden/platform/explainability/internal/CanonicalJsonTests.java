package dev.warden.platform.explainability.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalJsonTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void sortsKeysDropsWhiteSpaceAndWritesNumbersOneWay() {
		String text = CanonicalJson.write(JSON.readTree(
				"{ \"b\": [1, 2.50, 1e-5, 42.0], \"a\": {\"z\": \"q\\\"\\n\\u0001é\", \"y\": null, \"x\": true} }"));

		assertThat(text)
			.isEqualTo("{\"a\":{\"x\":true,\"y\":null,\"z\":\"q\\\"\\n\\u0001é\"},\"b\":[1,2.5,1.0E-5,42.0]}");
	}

	@Test
	void theSameNumbersWrittenDifferentlyGiveTheSameDigest() {
		// how PostgreSQL's jsonb writes back what Jackson wrote
		assertThat(CanonicalJson.sha256(JSON.readTree("{\"v\":1.0E-5,\"w\":[2.0]}")))
			.isEqualTo(CanonicalJson.sha256(JSON.readTree("{\"w\": [2.0], \"v\": 0.000010}")));
		assertThat(CanonicalJson.sha256(JSON.readTree("{\"v\":1}")))
			.isNotEqualTo(CanonicalJson.sha256(JSON.readTree("{\"v\":1.0}")));
	}

}
