package dev.warden.worker.training;

import java.io.PrintStream;

/**
 * Command line entry: {@code train spam --store DIR [--steps N] [--seed S]}. Returns the
 * process exit code: 0 on success, 1 if a full training run misses the accuracy gate or
 * training fails, 2 on a usage error. Prints the same two lines as {@code train income}.
 */
public final class SpamTrainingCommand {

	private SpamTrainingCommand() {
	}

	public static int run(String[] args, PrintStream out, PrintStream err) {
		return TrainingRun.run(args, SpamSchema.MODEL_NAME, SpamModelTrainer.DEFAULT_STEPS,
				SpamModelTrainer.DEFAULT_SEED, (steps, seed) -> {
					var options = new SpamModelTrainer.Options(steps, seed);
					return store -> {
						var result = new SpamModelTrainer().trainAndExport(store, options);
						return new TrainingRun.Outcome(result.model(), result.version(), result.versionDir(),
								result.validationAccuracy(), result.trainingTime(), options.isFullTraining(),
								result.passesAccuracyGate(), SpamModelTrainer.ACCURACY_GATE);
					};
				}, out, err);
	}

}
