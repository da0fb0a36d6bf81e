package dev.warden.platform.quota;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RowCounterTests {

	private static long v1(String json) {
		return RowCounter.count(json.getBytes(StandardCharsets.UTF_8), false, 100);
	}

	private static long v2(String json) {
		return RowCounter.count(json.getBytes(StandardCharsets.UTF_8), true, 100);
	}

	@Test
	void v1CountsInstancesInputListsAndTheFirstColumn() {
		assertThat(v1("{\"signature_name\":\"x\",\"instances\":[{\"a\":[1,2]},{\"a\":[3]},{\"a\":[4]}]}")).isEqualTo(3);
		assertThat(v1("{\"inputs\":[[1,2],[3,4]]}")).isEqualTo(2);
		assertThat(v1("{\"inputs\":{\"age\":[39,40,41,42],\"hours\":[1,2,3,4]}}")).isEqualTo(4);
		assertThat(v1("{\"inputs\":{\"age\":39}}")).isEqualTo(1);
		assertThat(v1("{\"instances\":[]}")).isZero();
	}

	@Test
	void v1ClassifyAndRegressCountTheirExamples() {
		assertThat(v1("{\"signature_name\":\"c\",\"context\":{\"a\":[1,2,3]},\"examples\":[{\"x\":1},{\"x\":[2,3]}]}"))
			.isEqualTo(2);
		assertThat(v1("{\"examples\":{\"x\":1}}")).isEqualTo(RowCounter.UNKNOWN);
	}

	@Test
	void v2ReadsTheFirstDimensionOfTheFirstInputsShape() {
		assertThat(v2(
				"{\"id\":\"r\",\"inputs\":[{\"name\":\"age\",\"datatype\":\"FP32\",\"data\":[1,2,3],\"shape\":[3,1]},"
						+ "{\"name\":\"x\",\"shape\":[9]}]}"))
			.isEqualTo(3);
	}

	@Test
	void countingStopsOncePastTheLimit() {
		String many = "{\"instances\":[" + "1,".repeat(5000) + "1]}";
		assertThat(RowCounter.count(many.getBytes(StandardCharsets.UTF_8), false, 10)).isEqualTo(11);
	}

	@Test
	void unknownShapesAndMalformedJsonAreUnknown() {
		assertThat(v1("not json")).isEqualTo(RowCounter.UNKNOWN);
		assertThat(v1("[1,2]")).isEqualTo(RowCounter.UNKNOWN);
		assertThat(v1("{\"instances\":")).isEqualTo(RowCounter.UNKNOWN);
		assertThat(v1("{\"other\":[1,2]}")).isEqualTo(RowCounter.UNKNOWN);
		assertThat(v2("{\"inputs\":[{\"name\":\"x\"}]}")).isEqualTo(RowCounter.UNKNOWN);
	}

}
