package dev.warden.worker.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Real SavedModels, exported with TensorFlow Java, whose {@code serving_default}
 * signature declares one float input of shape {@code [-1, width]} and answers its row
 * sums ({@code total}, shape {@code [-1]}). The declared width is what an uploader
 * controls: a tiny graph can declare an input of millions of elements per example. Shared
 * with the system tests (test jar).
 */
public final class DeclaredShapeModels {

	public static final String SIGNATURE = "serving_default";

	public static final String OUTPUT = "total";

	private DeclaredShapeModels() {
	}

	/**
	 * Exports the model into {@code versionDir} (created; must not exist yet) and returns
	 * it.
	 */
	public static Path export(Path versionDir, String input, long width) {
		try {
			Files.createDirectories(versionDir.getParent());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> features = tf.withName(input)
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, width)));
			Operand<TFloat32> total = tf.withName(OUTPUT).reduceSum(features, tf.constant(1));
			SavedModelBundle.exporter(versionDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignature(Signature.builder(SIGNATURE)
					.methodName("tensorflow/serving/predict")
					.input(input, features)
					.output(OUTPUT, total)
					.build())
				.export();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return versionDir;
	}

}
