package dev.warden.platform.gateway;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.warden.platform.gateway.DataPlaneRoute.Endpoint;
import dev.warden.platform.gateway.DataPlaneRoute.NoRouteException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataPlaneRouteTests {

	@Test
	void everyFormOfTheGrammarParsesToItsEndpointAndBackToItsPath() {
		record Case(String path, Endpoint endpoint, String model, Long version, String label) {
		}
		List<Case> cases = List.of(new Case("/v1/models", Endpoint.V1_MODELS, null, null, null),
				new Case("/v1/models/income", Endpoint.V1_STATUS, "income", null, null),
				new Case("/v1/models/income/versions/2", Endpoint.V1_STATUS, "income", 2L, null),
				new Case("/v1/models/income/labels/stable", Endpoint.V1_STATUS, "income", null, "stable"),
				new Case("/v1/models/income/metadata", Endpoint.V1_METADATA, "income", null, null),
				new Case("/v1/models/income/versions/3/metadata", Endpoint.V1_METADATA, "income", 3L, null),
				new Case("/v1/models/income/labels/canary/metadata", Endpoint.V1_METADATA, "income", null, "canary"),
				new Case("/v1/models/income/explanation-methods", Endpoint.V1_EXPLANATION_METHODS, "income", null,
						null),
				new Case("/v1/models/income/versions/3/explanation-methods", Endpoint.V1_EXPLANATION_METHODS, "income",
						3L, null),
				new Case("/v1/models/income:predict", Endpoint.V1_PREDICT, "income", null, null),
				new Case("/v1/models/income/versions/1:predict", Endpoint.V1_PREDICT, "income", 1L, null),
				new Case("/v1/models/income/labels/stable:predict", Endpoint.V1_PREDICT, "income", null, "stable"),
				new Case("/v1/models/income:classify", Endpoint.V1_CLASSIFY, "income", null, null),
				new Case("/v1/models/income:regress", Endpoint.V1_REGRESS, "income", null, null),
				new Case("/v1/models/income:explain", Endpoint.V1_EXPLAIN, "income", null, null),
				new Case("/v1/models/income:feedback", Endpoint.V1_FEEDBACK, "income", null, null),
				new Case("/v1/models/income/versions/2:feedback", Endpoint.V1_FEEDBACK, "income", 2L, null),
				new Case("/v1/models/income/feedback", Endpoint.V1_FEEDBACK_SUMMARY, "income", null, null),
				new Case("/v1/models/income/versions/2/feedback", Endpoint.V1_FEEDBACK_SUMMARY, "income", 2L, null),
				new Case("/v1/usage", Endpoint.V1_USAGE, null, null, null),
				new Case("/v2", Endpoint.V2_SERVER, null, null, null),
				new Case("/v2/health/live", Endpoint.V2_LIVE, null, null, null),
				new Case("/v2/health/ready", Endpoint.V2_READY, null, null, null),
				new Case("/v2/models/income", Endpoint.V2_MODEL, "income", null, null),
				new Case("/v2/models/income/versions/4", Endpoint.V2_MODEL, "income", 4L, null),
				new Case("/v2/models/income/ready", Endpoint.V2_MODEL_READY, "income", null, null),
				new Case("/v2/models/income/versions/4/ready", Endpoint.V2_MODEL_READY, "income", 4L, null),
				new Case("/v2/models/income/infer", Endpoint.V2_INFER, "income", null, null),
				new Case("/v2/models/income/versions/4/infer", Endpoint.V2_INFER, "income", 4L, null));
		for (Case c : cases) {
			DataPlaneRoute route = DataPlaneRoute.parse(c.path());
			assertThat(route).as(c.path())
				.isEqualTo(new DataPlaneRoute(c.endpoint(), c.model(), c.version(), c.label()));
			assertThat(route.path()).isEqualTo(c.path());
		}
	}

	@Test
	void operationsAreThoseAKeyIsScopedTo() {
		assertThat(DataPlaneRoute.parse("/v1/models/income:predict").operation()).isEqualTo("predict");
		assertThat(DataPlaneRoute.parse("/v1/models/income:classify").operation()).isEqualTo("predict");
		assertThat(DataPlaneRoute.parse("/v2/models/income/infer").operation()).isEqualTo("predict");
		assertThat(DataPlaneRoute.parse("/v1/models/income/versions/3:explain").operation()).isEqualTo("explain");
		assertThat(DataPlaneRoute.parse("/v1/models/income/explanation-methods").operation()).isEqualTo("explain");
		assertThat(DataPlaneRoute.parse("/v1/models").operation()).isEqualTo("metadata");
		assertThat(DataPlaneRoute.parse("/v2/models/income/ready").operation()).isEqualTo("metadata");
		assertThat(DataPlaneRoute.parse("/v2/health/ready").operation()).isNull();
		assertThat(DataPlaneRoute.parse("/v1/models/income:feedback").operation()).isEqualTo("feedback");
	}

	@Test
	void feedbackIsAnsweredByTheGatewaySpendsQuotaAndNamesNoLabel() {
		DataPlaneRoute feedback = DataPlaneRoute.parse("/v1/models/income:feedback");
		assertThat(feedback.forwarded()).isFalse();
		assertThat(feedback.spendsQuota()).isTrue();
		assertThat(feedback.choosesVersion()).isFalse();
		assertThat(feedback.countsRows()).isFalse();
		assertThat(DataPlaneRoute.parse("/v1/usage").spendsQuota()).isFalse();
		assertThat(DataPlaneRoute.parse("/v1/models/income:predict").spendsQuota()).isTrue();
		assertThatThrownBy(() -> DataPlaneRoute.parse("/v1/models/income/labels/stable:feedback"))
			.isInstanceOf(DataPlaneRoute.NoRouteException.class)
			.extracting((ex) -> ((DataPlaneRoute.NoRouteException) ex).status())
			.isEqualTo(404);
		DataPlaneRoute summary = DataPlaneRoute.parse("/v1/models/income/feedback");
		assertThat(summary.forwarded()).isFalse();
		assertThat(summary.feedback()).isTrue();
		assertThat(summary.operation()).isEqualTo("feedback");
		assertThat(summary.endpoint().method()).isEqualTo("GET");
		assertThatThrownBy(() -> DataPlaneRoute.parse("/v1/models/income/labels/stable/feedback"))
			.isInstanceOf(DataPlaneRoute.NoRouteException.class);
		assertThatThrownBy(() -> DataPlaneRoute.parse("/v2/models/income/feedback"))
			.isInstanceOf(DataPlaneRoute.NoRouteException.class);
		assertThatThrownBy(() -> DataPlaneRoute.parse("/v1/models/income:Feedback"))
			.isInstanceOf(DataPlaneRoute.NoRouteException.class);
	}

	@Test
	void encodedUnreservedCharactersAreTheSameRoute() {
		assertThat(DataPlaneRoute.parse("/v1/models/inc%6Fme:predict"))
			.isEqualTo(DataPlaneRoute.parse("/v1/models/income:predict"));
		assertThat(DataPlaneRoute.parse("/%76%31/%6dodels/income/versions/%32:pre%64ict").path())
			.isEqualTo("/v1/models/income/versions/2:predict");
	}

	@Test
	void encodedDelimitersAreDataSoTheyNeverFormARoute() {
		for (String path : List.of("/v1/models/secret%3Apredict", "/v1/models/secret%3apredict",
				"/v1/models/secret%2Fversions%2F1:predict", "/v1/models%2Fsecret:predict", "/v2/models/secret%2Finfer",
				"/v1/models/secret%253Apredict", "/v1/models/secret%00:predict", "/v1/models/secret%20:predict",
				"/v1/models/secret;x=1:predict", "/v1/models/secret%3B:predict", "/v1/models/secret%23:predict",
				"/v1/models/secret%3F:predict", "/v1/models/secret+x:predict", "/v1/models/%2E%2E/secret:predict",
				"/v1/models/..:predict", "/v1/models/.:predict")) {
			assertThatThrownBy(() -> DataPlaneRoute.parse(path)).as(path)
				.isInstanceOfSatisfying(NoRouteException.class, (ex) -> assertThat(ex.status()).isEqualTo(404));
		}
	}

	@Test
	void pathsOutsideTheGrammarAreNoRoute() {
		for (String path : List.of("", "/", "/v1", "/v1/", "/v3/models/income", "/V1/models/income:predict",
				"/v1/Models/income:predict", "/v1/models/income:Predict", "/v1/models/income:PREDICT",
				"/v1/models/income:predict/", "/v1/models/income/", "/v1/models//income:predict",
				"/v1//models/income:predict", "/v1/models/income/./metadata", "/v1/models/x/../income:predict",
				"/v1/models/income:frobnicate", "/v1/models/income:", "/v1/models/:predict",
				"/v1/models/income:predict:predict", "/v1/models/income/versions/:predict",
				"/v1/models/income/versions/-1:predict", "/v1/models/income/versions/1234567890123456789:predict",
				"/v1/models/income/versions/x:predict", "/v1/models/income/labels/1abc:predict",
				"/v1/models/income/versions/1/labels/a:predict", "/v1/models/income/metadata:predict",
				"/v1/models/income/metadata/x", "/v1/usage/", "/v1/usage/x", "/v2/models", "/v2/models/",
				"/v2/models/income/", "/v2/models/income/infer/", "/v2/models/income/explain",
				"/v2/models/income/versions", "/v2/models/income/versions/1/x", "/v2/health", "/v2/health/live/",
				"/v1/models/" + "a".repeat(65) + ":predict", "/v1/models/_x:predict", "/v1/models/-x:predict",
				"/v1/models/income/" + "x/".repeat(300))) {
			assertThatThrownBy(() -> DataPlaneRoute.parse(path)).as(path)
				.isInstanceOfSatisfying(NoRouteException.class, (ex) -> assertThat(ex.status()).isEqualTo(404));
		}
	}

	@Test
	void malformedEncodingsAreABadRequest() {
		for (String path : List.of("/v1/models/inc%6:predict", "/v1/models/inc%:predict", "/v1/models/inc%zzme:predict",
				"/v1/models/inc%C3%28me:predict", "/v1/models/inc%FFme:predict", "/v1/models/income:pre%dict")) {
			assertThatThrownBy(() -> DataPlaneRoute.parse(path)).as(path)
				.isInstanceOfSatisfying(NoRouteException.class, (ex) -> {
					assertThat(ex.status()).isEqualTo(400);
					assertThat(ex.code()).isEqualTo("invalid_path");
				});
		}
	}

	@Test
	void theGatewayChoosesTheVersionOnlyForPredictionsThatNameNone() {
		assertThat(DataPlaneRoute.parse("/v1/models/income:predict").choosesVersion()).isTrue();
		assertThat(DataPlaneRoute.parse("/v2/models/income/infer").choosesVersion()).isTrue();
		assertThat(DataPlaneRoute.parse("/v1/models/income/versions/2:predict").choosesVersion()).isFalse();
		assertThat(DataPlaneRoute.parse("/v1/models/income/labels/canary:predict").choosesVersion()).isFalse();
		assertThat(DataPlaneRoute.parse("/v1/models/income/metadata").choosesVersion()).isFalse();
		assertThat(DataPlaneRoute.parse("/v2/models/income/infer").withVersion(7).path())
			.isEqualTo("/v2/models/income/versions/7/infer");
		assertThat(DataPlaneRoute.parse("/v1/models/income/versions/007:predict").path())
			.isEqualTo("/v1/models/income/versions/7:predict");
	}

}
