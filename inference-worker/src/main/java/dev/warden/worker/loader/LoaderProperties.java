package dev.warden.worker.loader;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TensorFlow session settings for loaded models, and the bound on what a model may
 * declare.
 *
 * @param interOpThreads {@code inter_op_parallelism_threads}; -1 runs ops in the calling
 * thread, which gives the lowest latency for small models
 * @param intraOpThreads {@code intra_op_parallelism_threads}
 * @param maxInputElements the most elements one example may have over all inputs of a
 * signature, as the SavedModel declares them (per input, the product of its known
 * dimensions; an unknown dimension, -1, counts as 1). The warm-up call allocates one
 * example of every input, so this bounds its memory; a version whose signature declares
 * more is refused before anything is allocated, naming the input. The default, 1,048,576,
 * is 4 MiB of floats and leaves room for e.g. a 512 x 512 x 3 image
 */
@ConfigurationProperties("warden.worker.tensorflow")
public record LoaderProperties(@DefaultValue("-1") int interOpThreads, @DefaultValue("1") int intraOpThreads,
		@DefaultValue("1048576") int maxInputElements) {

	public LoaderProperties {
		if (maxInputElements < 1) {
			throw new IllegalArgumentException(
					"warden.worker.tensorflow.max-input-elements must be at least 1, not " + maxInputElements);
		}
	}

}
