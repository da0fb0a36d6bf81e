package dev.warden.platform.model;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.warden.platform.model.ModelArchives.ModelStoreUnavailableException;

/**
 * Reports a bucket of the S3 archive store that cannot be used at start-up as one line
 * instead of a stack trace. Registered in {@code META-INF/spring.factories}.
 */
class ModelStoreFailureAnalyzer extends AbstractFailureAnalyzer<ModelStoreUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ModelStoreUnavailableException cause) {
		return new FailureAnalysis("The model store cannot be used: " + cause.getMessage(),
				"Check warden.models.s3.* (WARDEN_MODEL_S3_ENDPOINT, _REGION, _BUCKET and the credentials), that the "
						+ "bucket exists (or set WARDEN_MODEL_S3_CREATE_BUCKET=true) and that these credentials may "
						+ "read and write it; or set WARDEN_MODEL_ARCHIVE_STORE=postgresql.",
				cause);
	}

}
