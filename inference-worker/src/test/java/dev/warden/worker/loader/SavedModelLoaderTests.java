package dev.warden.worker.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.worker.source.ServableId;

import org.junit.jupiter.api.Test;

/**
 * The bound on declared input shapes (finding 10), on signatures as the loader reads them
 * from a SavedModel.
 */
class SavedModelLoaderTests {

	private static final ServableId ID = new ServableId("uploaded", 3);

	private static final int LIMIT = 1_048_576;

	@Test
	void unknownDimensionsCountAsOneAndKnownOnesMultiply() {
		assertThat(SavedModelLoader.exampleElements(input("a", -1))).isEqualTo(1);
		assertThat(SavedModelLoader.exampleElements(input("a", -1, 28, 28, 3))).isEqualTo(2352);
		assertThat(SavedModelLoader.exampleElements(input("a", -1, -1, 0, 7))).isEqualTo(7);
		assertThat(SavedModelLoader.exampleElements(new TensorSpec("a", "DT_FLOAT", new long[0], "a:0"))).isEqualTo(1);
	}

	@Test
	void inputsUpToTheLimitInTotalAreAccepted() {
		assertThatNoException().isThrownBy(() -> SavedModelLoader.checkDeclaredInputs(ID,
				signature(input("image", -1, 512, 512, 3), input("mask", -1, 512, 512)), LIMIT));
	}

	@Test
	void oneAbsurdInputIsRefusedNamingItAndItsShape() {
		assertThatThrownBy(() -> SavedModelLoader.checkDeclaredInputs(ID,
				signature(input("age", -1), input("pixels", -1, 20_000_000)), LIMIT))
			.isInstanceOf(ServableLoadException.class)
			.hasMessage("cannot serve uploaded/3: input 'pixels' of signature 'serving_default' declares shape "
					+ "[-1, 20000000], 20000000 elements per example; at most 1048576 elements per example are accepted "
					+ "over the inputs of a signature (warden.worker.tensorflow.max-input-elements)");
	}

	@Test
	void inputsThatAreAcceptableAloneButNotTogetherAreRefusedAtTheOneThatCrossesTheLimit() {
		assertThatThrownBy(() -> SavedModelLoader.checkDeclaredInputs(ID,
				signature(input("a", -1, 600_000), input("b", -1, 600_000)), LIMIT))
			.hasMessageContaining("input 'b'")
			.hasMessageContaining("600000 elements per example, 1200000 together with the inputs before it");
	}

	@Test
	void shapesWhoseProductOverflowsALongAreStillRefused() {
		// 2^32 * 2^32 = 2^64, which a long multiplication wraps to 0
		assertThatThrownBy(() -> SavedModelLoader.checkDeclaredInputs(ID,
				signature(input("wrap", -1, 4_294_967_296L, 4_294_967_296L)), LIMIT))
			.hasMessageContaining("input 'wrap'")
			.hasMessageContaining("18446744073709551616 elements per example");
	}

	@Test
	void theLimitMustBePositive() {
		assertThatThrownBy(() -> new LoaderProperties(-1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("max-input-elements");
	}

	private static TensorSpec input(String name, long... dims) {
		return new TensorSpec(name, "DT_FLOAT", dims, name + ":0");
	}

	private static SignatureSpec signature(TensorSpec... inputs) {
		Map<String, TensorSpec> byName = new LinkedHashMap<>();
		for (TensorSpec input : inputs) {
			byName.put(input.name(), input);
		}
		return new SignatureSpec("serving_default", "tensorflow/serving/predict", byName, Map.of());
	}

}
