package dev.warden.platform.apikey;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScopeRequirementTests {

	@Test
	void predictPathsNeedThePredictOperationOnTheirModel() {
		assertThat(ScopeRequirement.of("POST", "/v1/models/income:predict"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
		assertThat(ScopeRequirement.of("POST", "/v1/models/income/versions/2:predict"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
		assertThat(ScopeRequirement.of("POST", "/v1/models/income/labels/canary:predict"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
		assertThat(ScopeRequirement.of("POST", "/v2/models/income/infer"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
		assertThat(ScopeRequirement.of("POST", "/v2/models/income/versions/1/infer"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
	}

	@Test
	void explainPathsNeedTheExplainOperation() {
		assertThat(ScopeRequirement.of("POST", "/v1/models/income:explain"))
			.isEqualTo(new ScopeRequirement("income", "explain"));
		assertThat(ScopeRequirement.of("POST", "/v1/models/income/versions/3:explain"))
			.isEqualTo(new ScopeRequirement("income", "explain"));
	}

	@Test
	void statusMetadataAndReadinessNeedTheMetadataOperation() {
		for (String path : List.of("/v1/models/income", "/v1/models/income/metadata",
				"/v1/models/income/versions/1/metadata", "/v2/models/income", "/v2/models/income/ready",
				"/v2/models/income/versions/1")) {
			assertThat(ScopeRequirement.of("GET", path)).as(path).isEqualTo(new ScopeRequirement("income", "metadata"));
		}
		assertThat(ScopeRequirement.of("GET", "/v1/models")).isEqualTo(new ScopeRequirement(null, "metadata"));
	}

	@Test
	void healthAndServerMetadataNeedNoScope() {
		assertThat(ScopeRequirement.of("GET", "/v2/health/ready")).isEqualTo(ScopeRequirement.NONE);
		assertThat(ScopeRequirement.of("GET", "/v2/health/live")).isEqualTo(ScopeRequirement.NONE);
		assertThat(ScopeRequirement.of("GET", "/v2")).isEqualTo(ScopeRequirement.NONE);
	}

	@Test
	void percentEncodedModelNamesAreCheckedDecoded() {
		assertThat(ScopeRequirement.of("POST", "/v1/models/inc%6Fme:predict"))
			.isEqualTo(new ScopeRequirement("income", "predict"));
	}

	@Test
	void unknownVerbsStillNeedTheModelScope() {
		assertThat(ScopeRequirement.of("POST", "/v1/models/spam:frobnicate")).isEqualTo(new ScopeRequirement("spam", null));
	}

	@Test
	void scopesNameTheMissingModelOrOperation() {
		KeyScopes scopes = new KeyScopes(List.of("income"), List.of("predict", "metadata"));
		assertThat(scopes.denial("spam", "predict")).hasValue("this key may not call model 'spam'");
		assertThat(scopes.denial("income", "explain")).hasValue("this key lacks the operation 'explain'");
		assertThat(scopes.denial("income", "predict")).isEmpty();
		assertThat(scopes.denial(null, null)).isEmpty();
		assertThat(KeyScopes.ALL.denial("anything", "explain")).isEmpty();
	}

}
