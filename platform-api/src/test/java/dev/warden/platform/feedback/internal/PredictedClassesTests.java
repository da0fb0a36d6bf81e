package dev.warden.platform.feedback.internal;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PredictedClassesTests {

	private final PredictedClasses half = new PredictedClasses(0.5, 1);

	private int[] classes(PredictedClasses decide, String answer, String path) {
		return decide.read(answer.getBytes(StandardCharsets.UTF_8), path).classes();
	}

	@Test
	void probabilitiesAreDecidedByTheThresholdOnThePositiveClass() {
		String answer = "{\"predictions\":[[0.1,0.9],[0.5,0.5],[0.51,0.49]]}";
		assertThat(classes(this.half, answer, "/v1/models/m:predict")).containsExactly(1, 1, 0);
		assertThat(classes(new PredictedClasses(0.95, 1), answer, "/v1/models/m:predict")).containsExactly(0, 0, 0);
		// three classes: the positive class when it reaches the threshold, else the most
		// probable other one
		assertThat(classes(this.half, "{\"predictions\":[[0.2,0.3,0.5],[0.1,0.6,0.3]]}", "/v1/models/m:predict"))
			.containsExactly(2, 1);
		assertThat(this.half
			.read("{\"predictions\":[[0.2,0.3,0.5]]}".getBytes(StandardCharsets.UTF_8), "/v1/models/m:predict")
			.classCount()).isEqualTo(3);
	}

	@Test
	void namedOutputsSingleProbabilitiesClassIdsColumnsClassifyAndInfer() {
		assertThat(classes(this.half,
				"{\"predictions\":[{\"probability\":0.71,\"class_id\":0,"
						+ "\"probabilities\":[0.29,0.71]},{\"class_id\":[0]}]}",
				"/v1/models/m:predict"))
			.containsExactly(1, 0);
		assertThat(classes(this.half, "{\"predictions\":[0.2, 0.8, [0.6]]}", "/v1/models/m:predict")).containsExactly(0,
				1, 1);
		assertThat(classes(this.half, "{\"outputs\":{\"probabilities\":[[0.9,0.1],[0.3,0.7]]}}",
				"/v1/models/m/versions/2:predict"))
			.containsExactly(0, 1);
		assertThat(classes(this.half, "{\"results\":[[[\"0\",0.2],[\"1\",0.8]],[[\"0\",0.7],[\"1\",0.3]]]}",
				"/v1/models/m:classify"))
			.containsExactly(1, 0);
		assertThat(classes(this.half,
				"{\"outputs\":[{\"name\":\"class_id\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[0,0]},"
						+ "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[0.4,0.6,0.9,0.1]}]}",
				"/v2/models/m/infer"))
			.containsExactly(1, 0);
		assertThat(classes(this.half,
				"{\"outputs\":[{\"name\":\"y\",\"datatype\":\"INT32\",\"shape\":[3,1],\"data\":[2,0,1]}]}",
				"/v2/models/m/versions/1/infer"))
			.containsExactly(2, 0, 1);
	}

	@Test
	void anAnswerWithoutAClassIsUnreadableWithTheReason() {
		assertThatThrownBy(() -> classes(this.half, "{\"predictions\":[3.5]}", "/v1/models/m:regress"))
			.isInstanceOf(PredictedClasses.Unreadable.class)
			.hasMessageContaining("regression");
		assertThatThrownBy(() -> classes(this.half, "{\"predictions\":[3.5]}", "/v1/models/m:predict"))
			.hasMessageContaining("not a probability");
		assertThatThrownBy(() -> classes(this.half, "{\"predictions\":[\"[REDACTED_CARD]\"]}", "/v1/models/m:predict"))
			.hasMessageContaining("redacted");
		assertThatThrownBy(() -> classes(this.half, "not json", "/v1/models/m:predict"))
			.hasMessageContaining("not JSON");
		assertThatThrownBy(
				() -> classes(new PredictedClasses(0.5, 3), "{\"predictions\":[[0.5,0.5]]}", "/v1/models/m:predict"))
			.hasMessageContaining("no probability of class 3");
		assertThatThrownBy(
				() -> classes(this.half, "{\"outputs\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", "/v2/models/m/infer"))
			.hasMessageContaining("several outputs");
	}

}
