package dev.warden.worker.explain;

/**
 * Counts what one explanation costs: model rows evaluated and TensorFlow calls made. Not
 * thread-safe; one per explanation.
 */
final class Meter {

	private long evaluations;

	private int calls;

	void called(int rows) {
		calls++;
		evaluations += rows;
	}

	long evaluations() {
		return evaluations;
	}

	int calls() {
		return calls;
	}

}
