package dev.warden.console.governance;

import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.EvaluationSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class FairnessFormsTests {

	@Test
	void onlyTheCheckParametersGivenAreSentAsNumbers() {
		assertThat(FairnessForms.checkParameters(" d-1 ", "0.3", " 500", "7")).containsExactly(
				Map.entry("dataset_id", "d-1"), Map.entry("threshold", 0.3), Map.entry("resamples", 500L),
				Map.entry("seed", 7L));
		assertThat(FairnessForms.checkParameters("", " ", "", null)).isEmpty();
	}

	@Test
	void aParameterThatIsNotANumberIsNamed() {
		assertThatExceptionOfType(InvalidForm.class).isThrownBy(() -> FairnessForms.checkParameters("", "NaN", "", ""))
			.withMessage("Threshold must be a number, not 'NaN'.");
		assertThatExceptionOfType(InvalidForm.class).isThrownBy(() -> FairnessForms.checkParameters("", "", "1e3", ""))
			.withMessage("Resamples must be a whole number, not '1e3'.");
	}

	@Test
	void theEvaluationSpecIsReadFromTheUploadForm() {
		EvaluationSpec spec = FairnessForms.evaluationSpec(" label ", " 1 ", "sex, race\nage,",
				"sex: Male\n\nrace:White ", "age:25, 60");

		assertThat(spec.label()).isEqualTo("label");
		assertThat(spec.positiveLabel()).isEqualTo("1");
		assertThat(spec.sensitive()).containsExactly("sex", "race", "age");
		assertThat(spec.references()).containsExactly(Map.entry("sex", "Male"), Map.entry("race", "White"));
		assertThat(spec.bands()).containsExactly(Map.entry("age", List.of("25", "60")));
	}

	@Test
	void whatCannotBeSentIsRefusedWithAReason() {
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("", "1", "sex", "", ""))
			.withMessageStartingWith("Name the label column");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", "1", " , ", "", ""))
			.withMessageStartingWith("Name at least one sensitive column");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", " ", "sex", "", ""))
			.withMessageStartingWith("Give the positive label");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", "1", "sex", "sex=Male", ""))
			.withMessage("Reference: write one column:value per line, not 'sex=Male'.");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", "1", "sex", "sex:Male\nsex:Female", ""))
			.withMessage("Reference: the column 'sex' is named twice.");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", "1", "sex,age", "", "age:25,sixty"))
			.withMessage("Bands of 'age': 'sixty' is not a number.");
		assertThatExceptionOfType(InvalidForm.class)
			.isThrownBy(() -> FairnessForms.evaluationSpec("label", "1", "sex", "", "age:25"))
			.withMessage("Bands: 'age' is not one of the sensitive columns (sex).");
	}

}
