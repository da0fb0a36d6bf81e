package dev.warden.worker.serving;

import java.util.Map;

import dev.warden.worker.loader.InputColumn;

/** A predict request checked against its signature. */
record PredictRequest(String signature, Format format, Map<String, InputColumn> inputs) {

	enum Format {

		/** {@code instances}: one object per row, answered with {@code predictions}. */
		ROW,
		/** {@code inputs}: one array per input, answered with {@code outputs}. */
		COLUMNAR

	}

}
