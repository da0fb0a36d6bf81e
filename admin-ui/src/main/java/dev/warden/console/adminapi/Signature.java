package dev.warden.console.adminapi;

import java.util.List;

/**
 * A model signature: the named inputs and outputs a caller uses.
 *
 * @param name the signature name, such as {@code serving_default}
 * @param methodName the TensorFlow method name
 * @param inputs the input tensors
 * @param outputs the output tensors
 */
public record Signature(String name, String methodName, List<Tensor> inputs, List<Tensor> outputs) {

	/**
	 * A tensor of a signature.
	 *
	 * @param name the input or output name
	 * @param dtype the TensorFlow dtype, such as {@code DT_FLOAT}
	 * @param shape the shape, such as {@code [-1, 2]}, where -1 is any size
	 */
	public record Tensor(String name, String dtype, String shape) {
	}

}
