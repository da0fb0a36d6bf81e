package dev.warden.worker.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.warden.worker.explain.ExplainContract;

import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What both reference models export so that the worker can explain them with integrated
 * gradients (see {@link ExplainContract} and docs/explainability.md): the gradients
 * signature, and the contract file with the fingerprint of the training data.
 */
final class ExplainExport {

	private ExplainExport() {
	}

	/**
	 * The class whose output is differentiated, one per row: DT_INT64 [-1].
	 */
	static Placeholder<TInt64> targetClass(Ops tf) {
		return tf.withName("explain_target_class")
			.placeholder(TInt64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1)));
	}

	/**
	 * The {@value ExplainContract#GRADIENTS_SIGNATURE} signature: {@code inputs} (the
	 * differentiated one among them) and the target class in; logits, probabilities and
	 * the gradients of the target class's logit and probability with respect to
	 * {@code differentiated} out. Rows are independent, so the gradient of the sum over
	 * the batch is every row's own gradient.
	 */
	static Signature gradientsSignature(Ops tf, Map<String, Operand<?>> inputs, Operand<TFloat32> differentiated,
			Operand<TFloat32> logits, Placeholder<TInt64> targetClass) {
		Operand<TFloat32> probabilities = tf.withName("explain_probabilities").nn.softmax(logits);
		Operand<TFloat32> mask = tf.oneHot(targetClass, tf.constant(TrainingLoop.CLASSES), tf.constant(1f),
				tf.constant(0f));
		Operand<TFloat32> selectedLogit = tf.reduceSum(tf.math.mul(logits, mask), tf.constant(new int[] { 0, 1 }));
		Operand<TFloat32> selectedProbability = tf.reduceSum(tf.math.mul(probabilities, mask),
				tf.constant(new int[] { 0, 1 }));
		Gradients logitGradients = tf.gradients(selectedLogit, List.of(differentiated));
		Gradients probabilityGradients = tf.gradients(selectedProbability, List.of(differentiated));
		Signature.Builder signature = Signature.builder(ExplainContract.GRADIENTS_SIGNATURE)
			.methodName(IncomeSchema.METHOD_NAME);
		inputs.forEach(signature::input);
		return signature.input(ExplainContract.TARGET_CLASS, targetClass)
			.output(ExplainContract.LOGITS, tf.withName("explain_logits").identity(logits))
			.output(ExplainContract.PROBABILITIES, probabilities)
			.output(ExplainContract.LOGIT_GRADIENTS,
					tf.withName("explain_logit_gradients").identity(logitGradients.<TFloat32>dy(0)))
			.output(ExplainContract.PROBABILITY_GRADIENTS,
					tf.withName("explain_probability_gradients").identity(probabilityGradients.<TFloat32>dy(0)))
			.build();
	}

	/** Writes the contract into {@code assets.extra/}. */
	static void writeContract(Path assetsExtra, ExplainContract contract) throws IOException {
		Files.write(assetsExtra.resolve(ExplainContract.FILE), contract.toJson());
	}

	/** The fingerprint of a data set shipped as a class path resource. */
	static ExplainContract.DataFile resource(String resource, long rows) {
		try (InputStream in = ExplainExport.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("data set resource not found: " + resource);
			}
			return new ExplainContract.DataFile(Path.of(resource).getFileName().toString(), rows,
					sha256(in.readAllBytes()), null, null);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + resource, ex);
		}
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
