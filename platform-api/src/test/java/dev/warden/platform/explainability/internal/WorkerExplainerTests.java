package dev.warden.platform.explainability.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The explanation answer is read leniently: the shapes the worker may use for the same
 * facts give the same {@link Explanation}.
 */
class WorkerExplainerTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void attributionsAsAnObjectOrAsAListOfFeatures() {
		Explanation map = one("""
				{"method":"integrated_gradients","target":{"output":"probabilities","class":1},
				 "attributions":{"age":0.5,"sex":-0.25},"value_at_input":0.9,"value_at_baseline":0.2,
				 "model_evaluations":64,"completeness_delta":0.001}""");
		Explanation list = one("""
				{"method":{"name":"integrated_gradients"},"target":1,
				 "attributions":[{"feature":"age","attribution":0.5},{"name":"sex","value":-0.25}],
				 "f_x":0.9,"f_baseline":0.2,"evaluations":64,"quality":{"completeness":{"delta":0.001}}}""");

		for (Explanation e : new Explanation[] { map, list }) {
			assertThat(e.method()).isEqualTo("integrated_gradients");
			assertThat(e.targetClass()).isEqualTo(1);
			assertThat(e.attributions()).containsExactly(java.util.Map.entry("age", 0.5),
					java.util.Map.entry("sex", -0.25));
			assertThat(e.valueAtInput()).isEqualTo(0.9);
			assertThat(e.valueAtBaseline()).isEqualTo(0.2);
			assertThat(e.modelEvaluations()).isEqualTo(64);
			assertThat(e.completenessDelta()).isEqualTo(0.001);
			assertThat(e.efficiencyError()).isNull();
		}
	}

	@Test
	void tokensInEveryShapeAndTheSumAsTheColumnsAttribution() {
		Explanation nested = one("""
				{"method":"kernel_shap","attributions":{"text":{"tokens":[
				  {"token":"free","start":0,"end":4,"attribution":0.75},["money",5,10,0.25]]}},
				 "efficiency_error":-0.002}""");
		Explanation topLevel = one(
				"""
						{"method":"kernel_shap","input":"text","tokens":[
						  {"token":"free","start":0,"end":4,"attribution":0.75},{"text":"money","start":5,"end":10,"value":0.25}],
						 "efficiency_residual":-0.002}""");

		for (Explanation e : new Explanation[] { nested, topLevel }) {
			assertThat(e.attributions()).containsEntry("text", 1.0);
			assertThat(e.tokens().get("text")).containsExactly(new TokenAttribution("free", 0, 4, 0.75),
					new TokenAttribution("money", 5, 10, 0.25));
			assertThat(e.efficiencyError()).isEqualTo(-0.002);
			assertThat(e.qualityError()).isEqualTo(-0.002);
		}
	}

	@Test
	void predictionsGiveTheirClass() {
		WorkerExplainer.Answer answer = WorkerExplainer.parse(JSON.readTree(
				"""
						{"predictions":[{"probabilities":[0.2,0.8]},{"probability":0.1},{"class_id":1,"probabilities":[0.6,0.4]}],
						 "explanations":[{"attributions":{"a":1}},{"attributions":{"a":1}},{"attributions":{"a":1}}]}"""));

		assertThat(answer.predictions()).extracting(Prediction::classId).containsExactly(1, 0, 1);
		assertThat(answer.predictions().get(1).probability(1)).isEqualTo(0.1);
		assertThat(WorkerExplainer.normalise(answer).path("explanations").get(0).path("attributions").get(0).toString())
			.isEqualTo("{\"feature\":\"a\",\"attribution\":1.0}");
	}

	private static Explanation one(String json) {
		return WorkerExplainer.parse(JSON.readTree("{\"explanations\":[" + json + "]}")).explanations().get(0);
	}

}
