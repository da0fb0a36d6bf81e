package dev.warden.platform.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * Imports into the database's model store ({@link ModelArchives}) the versions this
 * gateway finds in its directory store ({@code <store>/<model>/<version>/saved_model.pb})
 * that the database lacks: those trained by {@code warden train} or the quickstart, and
 * those uploaded before the database kept archives. Runs once at start and then every
 * {@code warden.models.import-interval}, on a thread of its own (an import of a large
 * version never delays other scheduled work). Each version is imported under the same
 * per-model advisory lock as uploads, and only if the database still lacks it, so
 * gateways that share a database import a version once, and never one an upload is
 * committing. A version the database already has is never replaced, even if this
 * gateway's directory holds other files under that number.
 */
@Component
class ModelStoreImport implements SmartLifecycle {

	/** Model directories the workers serve ({@code ModelStoreSource}'s rule). */
	static final Pattern MODEL_DIR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/** Version directories without leading zeros. */
	static final Pattern VERSION_DIR = Pattern.compile("0|[1-9][0-9]{0,17}");

	private static final Logger log = LoggerFactory.getLogger(ModelStoreImport.class);

	private final ModelStoreProperties properties;

	private final ModelArchives archives;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private volatile ScheduledExecutorService scheduler;

	private volatile String lastFailure;

	ModelStoreImport(ModelStoreProperties properties, ModelArchives archives, JdbcClient jdbc,
			TransactionTemplate transactions) {
		this.properties = properties;
		this.archives = archives;
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "model-store-import");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::scheduledImport, 0, this.properties.importInterval().toMillis(),
				TimeUnit.MILLISECONDS);
		this.scheduler = executor;
	}

	@Override
	public void stop() {
		ScheduledExecutorService running = this.scheduler;
		this.scheduler = null;
		if (running != null) {
			running.shutdownNow();
			try {
				running.awaitTermination(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.scheduler != null;
	}

	void scheduledImport() {
		try {
			importOnce();
			if (this.lastFailure != null) {
				this.lastFailure = null;
				log.info("Model store import works again");
			}
		}
		catch (RuntimeException ex) {
			String failure = String.valueOf(ex.getMessage());
			if (!failure.equals(this.lastFailure)) {
				log.warn("Model store import failed (retried every {}): {}", this.properties.importInterval(), failure);
			}
			this.lastFailure = failure;
		}
	}

	/**
	 * Imports every version of the directory store that the database lacks; returns how
	 * many were imported.
	 */
	int importOnce() {
		Path store = this.properties.store().toAbsolutePath().normalize();
		if (!Files.isDirectory(store)) {
			return 0;
		}
		Set<String> archived = new HashSet<>(
				this.jdbc.sql("SELECT model || '/' || version FROM model_store_archives").query(String.class).list());
		int imported = 0;
		try (DirectoryStream<Path> models = Files.newDirectoryStream(store)) {
			for (Path modelDir : models) {
				String model = modelDir.getFileName().toString();
				if (!MODEL_DIR.matcher(model).matches() || !Files.isDirectory(modelDir, LinkOption.NOFOLLOW_LINKS)) {
					continue;
				}
				try (DirectoryStream<Path> versions = Files.newDirectoryStream(modelDir)) {
					for (Path versionDir : versions) {
						String version = versionDir.getFileName().toString();
						if (VERSION_DIR.matcher(version).matches() && !archived.contains(model + "/" + version)
								&& isSavedModel(versionDir)
								&& importVersion(store, model, Long.parseLong(version), versionDir)) {
							imported++;
						}
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return imported;
	}

	private static boolean isSavedModel(Path versionDir) {
		return Files.isDirectory(versionDir, LinkOption.NOFOLLOW_LINKS)
				&& Files.isRegularFile(versionDir.resolve("saved_model.pb"), LinkOption.NOFOLLOW_LINKS);
	}

	private boolean importVersion(Path store, String model, long version, Path versionDir) {
		Path scratch = store.resolve(ModelManagement.STAGING_PREFIX + UUID.randomUUID());
		try {
			Files.createDirectory(scratch);
			ModelArchives.ArchivedVersion stored = this.transactions.execute((status) -> {
				// the lock of uploads: never import a directory an upload is committing
				this.jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('warden.model_versions'), hashtext(:name))")
					.param("name", model)
					.query((rs) -> {
					});
				if (this.archives.find(model, version).isPresent() || !isSavedModel(versionDir)) {
					return null;
				}
				return this.archives.store(model, version, versionDir, scratch, "import");
			});
			if (stored == null) {
				return false;
			}
			log.info("Imported {}/{} from the directory store into the database's model store ({} bytes, sha256 {})",
					model, version, stored.sizeBytes(), stored.sha256());
			return true;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			try {
				FileSystemUtils.deleteRecursively(scratch);
			}
			catch (IOException ex) {
				log.warn("Could not delete {}: {}", scratch, ex.getMessage());
			}
		}
	}

}
