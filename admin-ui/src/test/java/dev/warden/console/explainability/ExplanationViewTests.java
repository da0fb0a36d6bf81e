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
				 {"token":"b","start":"x","end":3,"attribution":0.2}]}]}"""), null).get(0);

		assertThat(view.prediction()).isNull();
		assertThat(view.tokens()).extracting(ExplanationView.TokenRow::token).containsExactly("a");
		assertThat(view.highlighted()).isNull();
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
