package dev.warden.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Function;

import dev.warden.worker.training.IncomeModelTrainer;
import dev.warden.worker.training.SpamModelTrainer;

import org.springframework.util.FileSystemUtils;

/**
 * The reference models as the worker's tests use them: each is trained once per JVM, on
 * first use (thread-safe), into a temporary directory that is deleted when the JVM exits.
 * A trained SavedModel is shared and must not be written to: a test copies it into a
 * store of its own ({@link #newStore}, {@link #copyInto}) or only reads it (loads it).
 *
 * <p>
 * Training is short: these tests need models that load, answer and differ from one
 * another, not accurate ones (the trainers' own tests check accuracy).
 */
public final class TrainedModels {

	/** Parent of everything this fixture writes; deleted at JVM exit. */
	private static final Path ROOT = createRoot();

	private static final Trained INCOME = new Trained("income",
			(store) -> new IncomeModelTrainer().trainAndExport(store, new IncomeModelTrainer.Options(150, 11))
				.versionDir());

	private static final Trained OTHER_INCOME = new Trained("income-other-seed",
			(store) -> new IncomeModelTrainer().trainAndExport(store, new IncomeModelTrainer.Options(60, 99))
				.versionDir());

	private static final Trained SPAM = new Trained("spam",
			(store) -> new SpamModelTrainer().trainAndExport(store, new SpamModelTrainer.Options(100, 5)).versionDir());

	private TrainedModels() {
	}

	/**
	 * The {@code income} SavedModel (its version directory, {@code saved_model.pb} and
	 * {@code variables/}): signature {@code serving_default} over the 14 raw census
	 * columns.
	 */
	public static Path income() {
		return INCOME.versionDir();
	}

	/**
	 * An {@code income} SavedModel with the same signature as {@link #income()}, trained
	 * with another seed: its answers differ, so a test can tell which one answered.
	 */
	public static Path otherIncome() {
		return OTHER_INCOME.versionDir();
	}

	/**
	 * The {@code spam} SavedModel: signature {@code serving_default} over {@code text}.
	 */
	public static Path spam() {
		return SPAM.versionDir();
	}

	/** A new empty model store directory, deleted at JVM exit. */
	public static Path newStore(String name) {
		try {
			return Files.createTempDirectory(Files.createDirectories(ROOT.resolve("stores")), name + "-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Copies {@code savedModel} into {@code <store>/<model>/<version>/} the way a version
	 * is published: into a staging directory next to the versions (a name the store
	 * scanner ignores), then one rename, so a polling worker never sees half a version.
	 * @return the version directory
	 */
	public static Path copyInto(Path savedModel, Path store, String model, long version) {
		Path modelDir = store.resolve(model);
		Path staging = modelDir.resolve(".staging-" + version);
		Path target = modelDir.resolve(Long.toString(version));
		try {
			FileSystemUtils.copyRecursively(savedModel, staging);
			return Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path createRoot() {
		try {
			Path root = Files.createTempDirectory("warden-worker-tests-");
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					FileSystemUtils.deleteRecursively(root);
				}
				catch (IOException ex) {
					// best effort at JVM exit
				}
			}, "delete-trained-models"));
			return root;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** One model, trained on first use into its own store under {@link #ROOT}. */
	private static final class Trained {

		private final String name;

		private final Function<Path, Path> train;

		private Path versionDir;

		Trained(String name, Function<Path, Path> train) {
			this.name = name;
			this.train = train;
		}

		synchronized Path versionDir() {
			if (versionDir == null) {
				try {
					versionDir = train.apply(Files.createDirectories(ROOT.resolve("trained").resolve(name)));
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			return versionDir;
		}

	}

}
