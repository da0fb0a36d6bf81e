package dev.warden.systemtest;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import dev.warden.worker.training.IncomeModelTrainer;
import dev.warden.worker.training.IncomeSchema;
import dev.warden.worker.training.SpamModelTrainer;
import dev.warden.worker.training.SpamSchema;

/**
 * The reference models the system tests serve, trained once per test JVM and copied into
 * each model store that needs them: training the same models again for every cluster and
 * every {@code ./warden} the tests start only spent the run's time (a few seconds of both
 * cores each). The copies are the files of one real training run, so two clusters serve
 * the same models; they are made the way the worker's tests publish a version
 * ({@link dev.warden.worker.TrainedModels#copyInto}: a staging directory, then one
 * rename).
 */
final class TrainedModels {

	/** Which training runs. */
	enum Size {

		/**
		 * The shared clusters' models: {@code income} trained for 300 steps (enough for a
		 * model whose predictions and explanations mean something), {@code spam} for 60.
		 */
		CLUSTER(300, 7L, 60, 5L),

		/**
		 * A few steps each: real SavedModels with the production signatures for the tests
		 * that start {@code ./warden} and only need it to serve.
		 */
		SMALL(20, 3L, 20, 7L);

		final int incomeSteps;

		final long incomeSeed;

		final int spamSteps;

		final long spamSeed;

		Size(int incomeSteps, long incomeSeed, int spamSteps, long spamSeed) {
			this.incomeSteps = incomeSteps;
			this.incomeSeed = incomeSeed;
			this.spamSteps = spamSteps;
			this.spamSeed = spamSeed;
		}

	}

	private static final Map<Size, Trained> TRAINED = new EnumMap<>(Size.class);

	private TrainedModels() {
	}

	/**
	 * Copies {@code income/1} and {@code spam/1} of this size into {@code store} (which
	 * must not hold them yet), training them first if this JVM has not. Returns the
	 * directory of {@code income}'s version in {@code store}.
	 */
	static Path copyInto(Path store, Size size) {
		Trained trained = trained(size);
		dev.warden.worker.TrainedModels.copyInto(trained.spam(), store, SpamSchema.MODEL_NAME, 1);
		return dev.warden.worker.TrainedModels.copyInto(trained.income(), store, IncomeSchema.MODEL_NAME, 1);
	}

	private static synchronized Trained trained(Size size) {
		return TRAINED.computeIfAbsent(size, (key) -> {
			Path store = dev.warden.worker.TrainedModels.newStore("system-tests-" + key.name().toLowerCase());
			Path income = new IncomeModelTrainer()
				.trainAndExport(store, new IncomeModelTrainer.Options(key.incomeSteps, key.incomeSeed))
				.versionDir();
			Path spam = new SpamModelTrainer()
				.trainAndExport(store, new SpamModelTrainer.Options(key.spamSteps, key.spamSeed))
				.versionDir();
			return new Trained(income, spam);
		});
	}

	/** The version directories of one training run. */
	private record Trained(Path income, Path spam) {

	}

}
