package dev.warden.console.explainability;

import java.util.List;

import dev.warden.console.adminapi.ExplainabilityReport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading explanations and reports leniently: what is known is shown, the rest listed.
 */
class ExplanationViewTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void aKernelShapExplanationNamesTheBackgroundExpectationAndListsUnknownFields() {
		List<ExplanationView> views = ExplanationView.of(JSON.readTree(
				"""
						{"predictions":[0.8],"explanations":[{"method":"kernel_shap","f_x":0.8,"background_expectation":0.3,
						 "efficiency_error":1e-9,"attributions":[{"feature":"a","attribution":0.5}],"coalitions":{"exact":true}}]}"""),
				null);

		ExplanationView view = views.get(0);
		assertThat(view.prediction()).isEqualTo("0.8");
		assertThat(view.referenceLabel()).isEqualTo("E[f(background)]");
		assertThat(view.reference()).isEqualTo("0.3");
		assertThat(view.qualityLabel()).isEqualTo("Efficiency error");
		assertThat(view.quality()).isEqualTo("1.000e-09");
		assertThat(view.bars().bars()).extracting(AttributionChart.Bar::name).containsExactly("a");
		assertThat(view.details()).containsExactly(new ReportView.Field("coalitions", "{\"exact\":true}"));
		assertThat(view.highlighted()).isNull();
	}

	@Test
	void tokensWithoutTheTextAreListedButNotHighlighted() {
		ExplanationView view = ExplanationView.of(JSON.readTree("""
				{"explanations":[{"tokens":[{"token":"a","start":0,"end":1,"attribution":-0.1},
				 {"token":"b","start":null,"end":null,"attribution":0.2}]}]}"""), null).get(0);

		assertThat(view.prediction()).isNull();
		assertThat(view.tokens()).extracting(ExplanationView.TokenRow::token, ExplanationView.TokenRow::offsets)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("b", "unknown"),
					org.assertj.core.groups.Tuple.tuple("a", "0–1"));
		assertThat(view.highlighted()).isNull();
		assertThat(view.bars()).isNull();
	}

	@Test
	void theWorkersOwnShapeReadsTheSame() {
		// tokens inside "attributions", the quality figure inside "quality", f_x and
		// f_baseline
		ExplanationView text = ExplanationView.of(JSON.readTree("""
				{"explanations":[{"method":"integrated_gradients","f_x":0.9,"f_baseline":0.2,
				 "attributions":[{"token":"free","start":0,"end":4,"bucket":7,"shared_bucket":true,"attribution":0.6},
				  {"token":"now","start":5,"end":8,"bucket":9,"shared_bucket":false,"attribution":-0.1}],
				 "quality":{"completeness_delta":0.001,"steps":64},"offsets":"utf16"}]}"""), "Free now").get(0);

		assertThat(text.fx()).isEqualTo("0.9");
		assertThat(text.referenceLabel()).isEqualTo("f(baseline)");
		assertThat(text.qualityLabel()).isEqualTo("Completeness delta");
		assertThat(text.quality()).isEqualTo("0.001");
		assertThat(text.highlighted().segments()).filteredOn(HighlightedText.Segment::token)
			.extracting(HighlightedText.Segment::text, HighlightedText.Segment::cssClass)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("Free", "attr-pos-5 shared-bucket"),
					org.assertj.core.groups.Tuple.tuple("now", "attr-neg-1"));
		assertThat(text.bars()).isNull();
		assertThat(text.details()).contains(new ReportView.Field("quality.steps", "64"),
				new ReportView.Field("offsets", "utf16"));

		ExplanationView shap = ExplanationView.of(JSON.readTree("""
				{"explanations":[{"method":"kernel_shap","f_x":0.7,"expected_value":0.25,
				 "attributions":[{"feature":"age","value":39,"baseline":null,"attribution":0.45}],
				 "quality":{"efficiency_residual":2e-12}}]}"""), null).get(0);

		assertThat(shap.referenceLabel()).isEqualTo("E[f(background)]");
		assertThat(shap.reference()).isEqualTo("0.25");
		assertThat(shap.qualityLabel()).isEqualTo("Efficiency residual");
		assertThat(shap.bars().bars()).extracting(AttributionChart.Bar::name, AttributionChart.Bar::value)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("age", "0.45"));
	}

	@Test
	void theAdminApiShapeTakesTheFigureThatIsNotNull() {
		ExplanationView view = ExplanationView.of(JSON.readTree("""
				{"explanations":[{"method":"kernel_shap","value_at_input":0.7,"value_at_baseline":0.3,
				 "completeness_delta":null,"efficiency_error":3e-9,"attributions":{"age":0.4},"tokens":[]}]}"""), null)
			.get(0);

		assertThat(view.fx()).isEqualTo("0.7");
		assertThat(view.referenceLabel()).isEqualTo("E[f(background)]");
		assertThat(view.qualityLabel()).isEqualTo("Efficiency error");
		assertThat(view.quality()).isEqualTo("3.000e-09");
		assertThat(view.bars().bars()).hasSize(1);
		assertThat(view.details()).isEmpty();
	}

	@Test
	void aReportWithoutContentShowsItsIdentityOnly() {
		ReportView view = ReportView.of(new ExplainabilityReport("r", "m", "1", null, null, null, null, null, null,
				null, null, null, null, null));

		assertThat(view.features()).isEmpty();
		assertThat(view.importance()).isNull();
		assertThat(view.partialDependence()).isEmpty();
		assertThat(view.quality().present()).isFalse();
		assertThat(view.textModel()).isFalse();
	}

	@Test
	void aReportKeepsItsFeatureOrderAndClassOrder() {
		ReportView view = ReportView.of(JSON.readValue(
				"""
						{"id":"r","content":{"features":[{"name":"z","mean_abs_attribution":0.1},{"name":"a","mean_abs_attribution":0.3}],
						 "tokens":{"spam":[{"token":"free","mean_attribution":0.5,"count":3}],"ham":[]},
						 "quality":{"explanations":2,"completeness_delta":{"max":0.01}}}}""",
				ExplainabilityReport.class));

		assertThat(view.features()).extracting(ReportView.Feature::name).containsExactly("z", "a");
		assertThat(view.tokens()).extracting(ReportView.TokenClass::className).containsExactly("spam", "ham");
		assertThat(view.quality().figure()).isEqualTo("Completeness delta");
		assertThat(view.quality().statistics()).containsExactly(new ReportView.Field("max", "0.01"));
	}

}
