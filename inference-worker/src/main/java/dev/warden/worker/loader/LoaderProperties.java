package dev.warden.worker.loader;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * TensorFlow session settings for loaded models.
 * @param interOpThreads {@code inter_op_parallelism_threads}; -1 runs ops in the calling thread, which gives the
 * lowest latency for small models
 * @param intraOpThreads {@code intra_op_parallelism_threads}
 */
@ConfigurationProperties("warden.worker.tensorflow")
public record LoaderProperties(@DefaultValue("-1") int interOpThreads, @DefaultValue("1") int intraOpThreads) {

}
