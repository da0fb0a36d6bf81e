package dev.warden.worker.explain;

import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Reading outputs of a TensorFlow call into Java arrays, before the result closes. */
final class Outputs {

	private Outputs() {
	}

	/**
	 * A float or double output, flattened row-major, with its shape.
	 * @throws ExplanationException if the output is of another type
	 */
	static Values read(Result result, String name) {
		Tensor tensor = result.get(name)
			.orElseThrow(() -> new IllegalStateException("output " + name + " missing from the result"));
		long[] shape = tensor.shape().asArray();
		int size = (int) tensor.shape().size();
		double[] values = new double[size];
		if (tensor instanceof TFloat32 floats) {
			float[] copy = new float[size];
			floats.copyTo(DataBuffers.of(copy, false, false));
			for (int i = 0; i < size; i++) {
				values[i] = copy[i];
			}
		}
		else if (tensor instanceof TFloat64 doubles) {
			doubles.copyTo(DataBuffers.of(values, false, false));
		}
		else {
			throw new ExplanationException("output '" + name + "' is " + tensor.dataType()
					+ "; only float and double outputs can be explained (parameters.output)");
		}
		return new Values(shape, values);
	}

	/** A flattened output and its shape. */
	record Values(long[] shape, double[] flat) {

		/** Values per row: the product of the dimensions after the first (1 for [n]). */
		int perRow() {
			int perRow = 1;
			for (int axis = 1; axis < shape.length; axis++) {
				perRow *= (int) shape[axis];
			}
			return perRow;
		}

		/**
		 * Entry {@code index} of every row ({@code index} 0 for outputs with one value
		 * per row).
		 */
		double[] column(int index, int rows) {
			int perRow = perRow();
			double[] column = new double[rows];
			for (int r = 0; r < rows; r++) {
				column[r] = flat[r * perRow + index];
			}
			return column;
		}

	}

}
