package dev.warden.worker.loader;

import java.util.Arrays;

/**
 * A validated input, ready to become a tensor: its shape (batch dimension first) and its elements flattened in
 * row-major order in the Java array matching the spec's {@link TensorSpec.ElementKind}: {@code float[]},
 * {@code double[]}, {@code int[]}, {@code long[]}, {@code String[]} or {@code boolean[]}. A string input may
 * also carry {@code byte[][]}: raw bytes, fed unchanged (serialized {@code tf.Example}s, base64-decoded values).
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

}
