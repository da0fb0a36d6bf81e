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
	void theWorkersOwnShapeForTabularAndTextModels() {
		Explanation tabular = one("""
				{"method":"integrated_gradients","model":"income","version":"1",
				 "target":{"kind":"probability","class":1,"class_name":">50K","class_from":"model default"},
				 "baseline":{"name":"training","values":{"age":38.5},"sha256":"abc"},"f_x":0.71,"f_baseline":0.24,
				 "attributions":[{"feature":"age","value":52,"baseline":38.5,"attribution":0.2},
				                 {"feature":"workclass","value":"Private","baseline":"","attribution":-0.01,
				                  "parts":{"workclass=Private":-0.01}}],
				 "model_evaluations":33,"model_calls":2,
				 "quality":{"completeness_delta":0.0004,"relative_delta":0.0009,"within_tolerance":true}}""");
		Explanation text = one(
				"""
						{"method":"integrated_gradients","target":{"kind":"probability","class":1},
						 "baseline":{"name":"zero","sha256":"def"},"f_x":0.99,"f_baseline":0.3,
						 "attributions":[{"token":"free","start":0,"end":4,"bucket":12,"shared_bucket":false,"attribution":0.5},
						                 {"token":"xxbang","start":null,"end":null,"bucket":7,"attribution":0.1}],
						 "offsets":"utf16","truncated":false,"model_evaluations":33,"quality":{"completeness_delta":-0.001}}""");

		assertThat(tabular.attributions()).containsEntry("age", 0.2).containsEntry("workclass", -0.01);
		assertThat(tabular.targetClass()).isEqualTo(1);
		assertThat(tabular.baseline().path("sha256").asString()).isEqualTo("abc");
		assertThat(tabular.valueAtInput()).isEqualTo(0.71);
		assertThat(tabular.valueAtBaseline()).isEqualTo(0.24);
		assertThat(tabular.completenessDelta()).isEqualTo(0.0004);
		assertThat(tabular.modelEvaluations()).isEqualTo(33);
		assertThat(text.attributions()).isEmpty();
		assertThat(text.tokens().get("")).containsExactly(new TokenAttribution("free", 0, 4, 0.5),
				new TokenAttribution("xxbang", -1, -1, 0.1));
		assertThat(text.completenessDelta()).isEqualTo(-0.001);
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
