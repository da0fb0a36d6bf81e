package dev.warden.console.adminapi;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class ModelVersionTests {

	private final JsonMapper json = JsonMapper.builder().build();

	@Test
	void readsSignaturesGivenAsAPlainMapOfSignatureDefs() {
		ModelVersion version = this.json.readValue("""
				{"version":2,"state":"AVAILABLE","extra":true,"signature_defs":{"serving_default":{
				  "inputs":{"text":{"dtype":"DT_STRING","tensor_shape":{"dim":[{"size":"-1"}]}}},
				  "outputs":{"scores":{"dtype":"DT_FLOAT","tensor_shape":{"unknown_rank":true}}}}}}""",
				ModelVersion.class);

		assertThat(version.version()).isEqualTo("2");
		assertThat(version.signatures()).singleElement().satisfies((signature) -> {
			assertThat(signature.name()).isEqualTo("serving_default");
			assertThat(signature.inputs()).containsExactly(new Signature.Tensor("text", "DT_STRING", "[-1]"));
			assertThat(signature.outputs()).containsExactly(new Signature.Tensor("scores", "DT_FLOAT", "unknown rank"));
		});
	}

	@Test
	void readsSignaturesWrappedAsInTensorFlowServingMetadata() {
		ModelVersion version = this.json.readValue("""
				{"version":"1","state":"AVAILABLE","signature_defs":{"signature_def":{"signature_def":{"predict":{
				  "inputs":{"x":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"},{"size":"2"}]}}},
				  "outputs":{}}}}}}""", ModelVersion.class);

		assertThat(version.signatures()).singleElement()
			.satisfies((signature) -> assertThat(signature.inputs().get(0).shape()).isEqualTo("[-1, 2]"));
	}

	@Test
	void readsTheLoadErrorOfAFailedVersionAndTheWarningsOfALoadedOne() {
		ModelVersion failed = this.json.readValue("""
				{"version":"1","state":"END","error":"cannot load SavedModel broken/1: bad","warnings":[]}""",
				ModelVersion.class);
		ModelVersion loaded = this.json.readValue("""
				{"version":"2","state":"AVAILABLE","warnings":["signature 'decode' was not warmed up: x"]}""",
				ModelVersion.class);

		assertThat(failed.error()).isEqualTo("cannot load SavedModel broken/1: bad");
		assertThat(failed.warnings()).isEmpty();
		assertThat(loaded.error()).isNull();
		assertThat(loaded.warnings()).containsExactly("signature 'decode' was not warmed up: x");
	}

	@Test
	void readsWhetherTheVersionIsAspiredAndItsStateOnEachWorker() {
		ModelVersion version = this.json.readValue("""
				{"version":"1","state":"AVAILABLE","serving":{"aspired":true,"reasons":["stable","hold:eval-1"],
				 "workers":[{"worker":"configured-1","healthy":true,"state":"AVAILABLE","error":null},
				            {"worker":"w-2","healthy":true,"state":"FAILED","error":"cannot load","extra":1}]}}""",
				ModelVersion.class);

		assertThat(version.serving().aspired()).isTrue();
		assertThat(version.serving().reasons()).containsExactly("stable", "hold:eval-1");
		assertThat(version.serving().workers()).containsExactly(
				new ModelVersion.WorkerState("configured-1", true, "AVAILABLE", null),
				new ModelVersion.WorkerState("w-2", true, "FAILED", "cannot load"));
	}

	@Test
	void aVersionWithoutServingInformationIsShownAsNotAspiredOnNoWorker() {
		ModelVersion version = this.json.readValue("{\"version\":\"1\",\"state\":\"AVAILABLE\"}", ModelVersion.class);

		assertThat(version.serving().aspired()).isFalse();
		assertThat(version.serving().workers()).isEmpty();
	}

	@Test
	void hasNoSignaturesWhenNoneAreSent() {
		ModelVersion version = this.json.readValue("{\"version\":\"1\",\"state\":\"LOADING\"}", ModelVersion.class);

		assertThat(version.signatures()).isEmpty();
	}

}
