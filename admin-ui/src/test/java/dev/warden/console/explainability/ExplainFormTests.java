package dev.warden.console.explainability;

import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.Signature;
import dev.warden.console.adminapi.Signature.Tensor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ExplainFormTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Signature TABULAR = new Signature("serving_default", "tensorflow/serving/predict",
			List.of(new Tensor("age", "DT_FLOAT", "[-1]"), new Tensor("count", "DT_INT64", "[-1]"),
					new Tensor("flag", "DT_BOOL", "[-1]"), new Tensor("job", "DT_STRING", "[-1]")),
			List.of());

	private static final Signature TEXT = new Signature("serving_default", "tensorflow/serving/predict",
			List.of(new Tensor("text", "DT_STRING", "[-1]")), List.of());

	@Test
	void valuesAreSentWithTheTypeOfTheirInput() {
		ExplainForm form = ExplainForm.submitted(TABULAR,
				form("input.age", " 39.5 ", "input.count", "3", "input.flag", "TRUE", "input.job", " Tech-support"));

		assertThat(tree(form.request())).isEqualTo(JSON.readTree("""
				{"instances":[{"age":39.5,"count":3,"flag":true,"job":" Tech-support"}],"parameters":{}}"""));
	}

	@Test
	void anEmptyNumericFieldIsLeftOutAndAValueThatIsNotANumberIsSentAsTyped() {
		ExplainForm form = ExplainForm.submitted(TABULAR,
				form("input.age", "", "input.count", "1.5", "input.flag", "", "input.job", "", "method", "occlusion"));

		assertThat(tree(form.request())).isEqualTo(JSON.readTree("""
				{"instances":[{"count":"1.5","job":""}],"parameters":{"method":"occlusion"}}"""));
		assertThat(tree(ExplainForm.submitted(TABULAR, form("input.age", "NaN")).request()).path("instances")
			.path(0)
			.path("age")
			.asString()).isEqualTo("NaN");
	}

	@Test
	void stepsAndSeedAreSentOnlyForTheMethodsThatTakeThem() {
		Map<String, Object> ig = ExplainForm
			.submitted(TABULAR, form("method", "integrated_gradients", "steps", "128", "seed", "9"))
			.request();
		Map<String, Object> shap = ExplainForm
			.submitted(TABULAR, form("method", "kernel_shap", "steps", "128", "seed", "9"))
			.request();
		Map<String, Object> byDefault = ExplainForm.submitted(TABULAR, form("steps", "16", "seed", "9")).request();

		assertThat(ig.get("parameters")).isEqualTo(Map.of("method", "integrated_gradients", "steps", 128L));
		assertThat(shap.get("parameters")).isEqualTo(Map.of("method", "kernel_shap", "seed", 9L));
		assertThat(byDefault.get("parameters")).isEqualTo(Map.of("steps", 16L, "seed", 9L));
		assertThatExceptionOfType(ExplainForm.InvalidForm.class)
			.isThrownBy(() -> ExplainForm.submitted(TABULAR, form("steps", "many")).request())
			.withMessage("Steps must be a whole number, not 'many'.");
	}

	@Test
	void aSingleTextInputMakesATextForm() {
		ExplainForm form = ExplainForm.submitted(TEXT, form("text", "\nhello", "input.text", "ignored"));

		assertThat(form.text()).isTrue();
		assertThat(form.fields()).isEmpty();
		assertThat(form.request().get("instances")).isEqualTo(List.of(Map.of("text", "\nhello")));
		// a parser drops the first line break after <textarea>
		assertThat(form.textAreaValue()).isEqualTo("\n\nhello");
		assertThat(ExplainForm.blank(TABULAR, null).text()).isFalse();
	}

	@Test
	void blankFormIsPrefilledFromTheBaselineExactly() {
		ExplainForm plain = ExplainForm.blank(TABULAR, JSON.readTree("""
				{"age":1077.6,"job":"Private","flag":false,"unknown":1,"sha256":"abc"}"""));
		ExplainForm nested = ExplainForm.blank(TABULAR, JSON.readTree("""
				{"values":{"count":12},"sha256":"abc"}"""));
		ExplainForm underValue = ExplainForm.blank(TABULAR, JSON.readTree("""
				{"value":{"job":"Sales"},"sha256":"abc","varies":false}"""));

		assertThat(plain.fields()).extracting(ExplainForm.InputField::name, ExplainForm.InputField::value)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("age", "1077.6"),
					org.assertj.core.groups.Tuple.tuple("count", ""),
					org.assertj.core.groups.Tuple.tuple("flag", "false"),
					org.assertj.core.groups.Tuple.tuple("job", "Private"));
		assertThat(nested.fields()).extracting(ExplainForm.InputField::value).containsExactly("", "12", "", "");
		assertThat(underValue.fields()).extracting(ExplainForm.InputField::value).containsExactly("", "", "", "Sales");
	}

	@Test
	void theServingSignatureIsPreferred() {
		Signature other = new Signature("explain_gradients", "", List.of(), List.of());

		assertThat(ExplainForm.servingSignature(List.of(other, TABULAR))).isSameAs(TABULAR);
		assertThat(ExplainForm.servingSignature(List.of(other))).isSameAs(other);
		assertThat(ExplainForm.servingSignature(List.of())).isNull();
	}

	/** The value as JSON would carry it (so 3L and 3 read the same). */
	private static JsonNode tree(Object value) {
		return JSON.readTree(JSON.writeValueAsString(value));
	}

	private static MultiValueMap<String, String> form(String... namesAndValues) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			form.add(namesAndValues[i], namesAndValues[i + 1]);
		}
		return form;
	}

}
