package dev.warden.worker.training;

import java.io.PrintStream;

/**
 * Command line entry: {@code train income --store DIR [--steps N] [--seed S]}. Returns
 * the process exit code: 0 on success, 1 if a full training run misses the accuracy gate
 * or training fails, 2 on a usage error.
 */
public final class IncomeTrainingCommand {

	private IncomeTrainingCommand() {
	}

	public static int run(String[] args, PrintStream out, PrintStream err) {
		return TrainingRun.run(args, IncomeSchema.MODEL_NAME, IncomeModelTrainer.DEFAULT_STEPS,
				IncomeModelTrainer.DEFAULT_SEED, (steps, seed) -> {
					var options = new IncomeModelTrainer.Options(steps, seed);
					return store -> {
						var result = new IncomeModelTrainer().trainAndExport(store, options);
						return new TrainingRun.Outcome(result.model(), result.version(), result.versionDir(),
								result.validationAccuracy(), result.trainingTime(), options.isFullTraining(),
								result.passesAccuracyGate(), IncomeModelTrainer.ACCURACY_GATE);
					};
				}, out, err);
	}

}
