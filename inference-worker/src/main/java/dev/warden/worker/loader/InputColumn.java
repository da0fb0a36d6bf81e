package dev.warden.worker.loader;

import java.util.Arrays;
import java.util.List;

import org.tensorflow.proto.Example;

/**
 * A validated input, ready to become a tensor: its shape (batch dimension first) and its
 * elements flattened in row-major order in the Java array matching the spec's
 * {@link TensorSpec.ElementKind}: {@code float[]}, {@code double[]}, {@code int[]},
 * {@code long[]}, {@code String[]} or {@code boolean[]}. A string input may also carry
 * {@code byte[][]}: raw bytes, fed unchanged (serialized {@code tf.Example}s,
 * base64-decoded values).
 */
public record InputColumn(TensorSpec spec, long[] shape, Object values) {

	public InputColumn {
		long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
		int length = java.lang.reflect.Array.getLength(values);
		if (count != length) {
			throw new IllegalArgumentException(
					"shape " + Arrays.toString(shape) + " needs " + count + " values, got " + length);
		}
	}

	public int rows() {
		return (int) shape[0];
	}

	/**
	 * A batch of serialized {@code tf.Example}s for an input that parses them: shape
	 * {@code [n]} (also for an input of unknown rank, as TF Serving feeds them), or a
	 * scalar for a scalar input, which takes exactly one example.
	 * @throws IllegalArgumentException if a scalar input is given more than one example
	 */
	public static InputColumn ofExamples(TensorSpec input, List<Example> examples) {
		byte[][] serialized = new byte[examples.size()][];
		for (int i = 0; i < serialized.length; i++) {
			serialized[i] = examples.get(i).toByteArray();
		}
		boolean scalar = !input.unknownRank() && input.dims().length == 0;
		if (scalar && serialized.length != 1) {
			throw new IllegalArgumentException(
					"input " + input + " takes one serialized example, got " + serialized.length);
		}
		return new InputColumn(input, scalar ? new long[0] : new long[] { serialized.length }, serialized);
	}

}
