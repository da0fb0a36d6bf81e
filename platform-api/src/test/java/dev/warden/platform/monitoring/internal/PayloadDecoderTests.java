package dev.warden.platform.monitoring.internal;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request and answer format the gateway forwards, read into rows: TF Serving row
 * and columnar formats (with bare values for a single input), Open Inference v2 tensors
 * (flat and nested data), and bodies that cannot be counted.
 */
class PayloadDecoderTests {

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void tfServingRowFormat() {
		PayloadDecoder.Decoded call = PayloadDecoder.decode(false, utf8(
				"{\"instances\":[{\"age\":39,\"job\":\"Sales\"},{\"age\":[50.5],\"job\":{\"b64\":\"VGVjaA==\"}}]}"),
				utf8("{\"predictions\":[{\"probability\":0.2,\"class_id\":0,\"probabilities\":[0.8,0.2]},"
						+ "{\"class_id\":[1],\"probabilities\":[0.1,0.9]}]}"),
				null);
		assertThat(call.rows()).isEqualTo(2);
		assertThat(DriftFeature.number(call.inputs().get("age").get(0))).isEqualTo(39);
		assertThat(DriftFeature.number(call.inputs().get("age").get(1))).isEqualTo(50.5);
		assertThat(DriftFeature.string(call.inputs().get("job").get(1))).isEqualTo("Tech");
		assertThat(call.classIds()).containsExactly(0, 1);
		assertThat(call.probabilities().get(1)).containsExactly(0.1, 0.9);
	}

	@Test
	void tfServingBareValuesBelongToTheOnlyInput() {
		PayloadDecoder.Decoded call = PayloadDecoder.decode(false, utf8("{\"instances\":[\"win money now\",\"hi\"]}"),
				utf8("{\"predictions\":[{\"probabilities\":[0.1,0.9],\"label\":\"spam\"},[0.7,0.3]]}"), "text");
		assertThat(call.inputs().get("text")).hasSize(2);
		assertThat(DriftFeature.string(call.inputs().get("text").get(0))).isEqualTo("win money now");
		assertThat(call.classIds()).containsExactly(null, null);
		assertThat(call.probabilities().get(1)).containsExactly(0.7, 0.3);
	}

	@Test
	void tfServingColumnarFormat() {
		PayloadDecoder.Decoded call = PayloadDecoder.decode(false,
				utf8("{\"inputs\":{\"age\":[1,2,3],\"job\":[\"a\",\"b\",\"c\"]}}"),
				utf8("{\"outputs\":{\"class_id\":[0,1,1],\"probabilities\":[[0.9,0.1],[0.2,0.8],[0.4,0.6]]}}"), null);
		assertThat(call.rows()).isEqualTo(3);
		assertThat(DriftFeature.string(call.inputs().get("job").get(2))).isEqualTo("c");
		assertThat(call.classIds()).containsExactly(0, 1, 1);
		assertThat(call.probabilities().get(2)).containsExactly(0.4, 0.6);
	}

	@Test
	void openInferenceTensorsFlatAndNested() {
		PayloadDecoder.Decoded call = PayloadDecoder.decode(true,
				utf8("{\"inputs\":[{\"name\":\"age\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[30,40]},"
						+ "{\"name\":\"job\",\"datatype\":\"BYTES\",\"shape\":[2,1],\"data\":[[\"x\"],[\"y\"]]}]}"),
				utf8("{\"model_name\":\"income\",\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\","
						+ "\"shape\":[2,2],\"data\":[0.3,0.7,0.6,0.4]},{\"name\":\"class_id\",\"datatype\":\"INT64\","
						+ "\"shape\":[2],\"data\":[1,0]}]}"),
				null);
		assertThat(call.rows()).isEqualTo(2);
		assertThat(DriftFeature.number(call.inputs().get("age").get(1))).isEqualTo(40);
		assertThat(DriftFeature.string(call.inputs().get("job").get(1))).isEqualTo("y");
		assertThat(call.classIds()).containsExactly(1, 0);
		assertThat(call.probabilities().get(0)).containsExactly(0.3, 0.7);
	}

	@Test
	void unreadableOrDisagreeingBodiesAreNotCounted() {
		assertThat(PayloadDecoder.decode(false, utf8("not json"), utf8("{}"), null)).isNull();
		assertThat(
				PayloadDecoder.decode(false, utf8("{\"instances\":[{\"a\":1}]}"), utf8("{\"predictions\":[]}"), null))
			.isNull();
		assertThat(PayloadDecoder.decode(false, utf8("{\"inputs\":{\"a\":[1,2],\"b\":[1]}}"),
				utf8("{\"outputs\":{\"class_id\":[0,1]}}"), null))
			.isNull();
		assertThat(PayloadDecoder.decode(true, utf8("{\"inputs\":[{\"name\":\"a\",\"shape\":[3],\"data\":[1,2]}]}"),
				utf8("{\"outputs\":[]}"), null))
			.isNull();
	}

}
