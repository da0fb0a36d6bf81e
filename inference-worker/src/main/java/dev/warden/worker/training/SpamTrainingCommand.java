package dev.warden.worker.training;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line entry: {@code train spam --store DIR [--steps N] [--seed S]}. Returns the process exit code:
 * 0 on success, 1 if a full training run misses the accuracy gate or training fails, 2 on a usage error. Prints the
 * same two lines as {@code train income}.
 */
public final class SpamTrainingCommand {

	static final String USAGE = "usage: train spam --store DIR [--steps N] [--seed S]";

	private SpamTrainingCommand() {
	}

	public static int run(String[] args, PrintStream out, PrintStream err) {
		Path store = null;
		int steps = SpamModelTrainer.DEFAULT_STEPS;
		long seed = SpamModelTrainer.DEFAULT_SEED;
		SpamModelTrainer.Options options;
		try {
			if (args.length < 2 || !SpamSchema.MODEL_NAME.equals(args[1])) {
				throw new IllegalArgumentException("expected 'train spam'");
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
			options = new SpamModelTrainer.Options(steps, seed);
		}
		catch (IllegalArgumentException ex) {
			err.println(ex.getMessage());
			err.println(USAGE);
			return 2;
		}
		try {
			SpamModelTrainer.TrainingResult result = new SpamModelTrainer().trainAndExport(store, options);
			out.printf(Locale.ROOT, "model=%s version=%d dir=%s%n", result.model(), result.version(),
					result.versionDir());
			out.printf(Locale.ROOT, "validation_accuracy=%.4f steps=%d seed=%d training_seconds=%.1f%n",
					result.validationAccuracy(), steps, seed, result.trainingTime().toMillis() / 1000.0);
			if (options.isFullTraining() && !result.passesAccuracyGate()) {
				err.printf(Locale.ROOT, "validation accuracy %.4f is below the gate %.2f%n", result.validationAccuracy(),
						SpamModelTrainer.ACCURACY_GATE);
				return 1;
			}
			return 0;
		}
		catch (RuntimeException ex) {
			err.println("training failed: " + ex.getMessage());
			return 1;
		}
	}

}
