package dev.warden.worker.training;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The command line shared by every reference model:
 * {@code train <model> --store DIR [--steps N] [--seed S]}. Parses the arguments, runs
 * the model's trainer and prints the same two lines for every model. Exit codes: 0 on
 * success, 1 if a full training run misses the model's accuracy gate or training fails, 2
 * on a usage error.
 */
final class TrainingRun {

	/**
	 * The model's own trainer behind a common shape: {@link #prepare} validates the
	 * options (an {@link IllegalArgumentException} is a usage error), the prepared run
	 * then trains into the store.
	 */
	@FunctionalInterface
	interface Trainer {

		Prepared prepare(int steps, long seed);

	}

	@FunctionalInterface
	interface Prepared {

		Outcome trainInto(Path store);

	}

	/** What every trainer reports, whatever its own result type. */
	record Outcome(String model, long version, Path versionDir, double validationAccuracy, Duration trainingTime,
			boolean fullTraining, boolean passesAccuracyGate, double accuracyGate) {
	}

	private TrainingRun() {
	}

	static int run(String[] args, String model, int defaultSteps, long defaultSeed, Trainer trainer, PrintStream out,
			PrintStream err) {
		String usage = "usage: train " + model + " --store DIR [--steps N] [--seed S]";
		Path store = null;
		Prepared prepared;
		int steps = defaultSteps;
		long seed = defaultSeed;
		try {
			if (args.length < 2 || !model.equals(args[1])) {
				throw new IllegalArgumentException("expected 'train " + model + "'");
			}
			for (int i = 2; i < args.length; i++) {
				String option = args[i];
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException("missing value for " + option);
				}
				String value = args[++i];
				switch (option) {
					case "--store" -> store = Path.of(value);
					case "--steps" -> steps = Integer.parseInt(value);
					case "--seed" -> seed = Long.parseLong(value);
					default -> throw new IllegalArgumentException("unknown option " + option);
				}
			}
			if (store == null) {
				throw new IllegalArgumentException("--store is required");
			}
			prepared = trainer.prepare(steps, seed);
		}
		catch (IllegalArgumentException ex) {
			err.println(ex.getMessage());
			err.println(usage);
			return 2;
		}
		Outcome outcome;
		try {
			outcome = prepared.trainInto(store);
		}
		catch (RuntimeException ex) {
			err.println("training failed: " + ex.getMessage());
			return 1;
		}
		out.printf(Locale.ROOT, "model=%s version=%d dir=%s%n", outcome.model(), outcome.version(),
				outcome.versionDir());
		out.printf(Locale.ROOT, "validation_accuracy=%.4f steps=%d seed=%d training_seconds=%.1f%n",
				outcome.validationAccuracy(), steps, seed, outcome.trainingTime().toMillis() / 1000.0);
		if (outcome.fullTraining() && !outcome.passesAccuracyGate()) {
			err.printf(Locale.ROOT, "validation accuracy %.4f is below the gate %.2f%n", outcome.validationAccuracy(),
					outcome.accuracyGate());
			return 1;
		}
		return 0;
	}

}
