package dev.warden.worker.storesync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

import dev.warden.worker.source.ModelStoreProperties;

/**
 * Copies the versions of the platform's model store (PostgreSQL) into this worker's local
 * store, so that a worker on another machine needs no shared file system: on when
 * {@code warden.worker.model-store.sync} is true and
 * {@code warden.registration.platform-url} and the registration token are set. Every
 * {@code warden.worker.model-store.poll-interval} it lists
 * {@code GET <platform>/internal/v1/model-store} and, for each version the local store
 * lacks ({@code <store>/<model>/<version>} absent), newest first:
 * <ol>
 * <li>downloads {@code .../{model}/versions/{version}/archive} into
 * {@code <store>/.sync-<uuid>/} (a name the store's scan ignores), bounded in size and
 * time, while computing its SHA-256;</li>
 * <li>refuses it (logged, counted, retried at the next poll) unless size and SHA-256 are
 * the listed ones; nothing of it is unpacked before;</li>
 * <li>unpacks it with limits ({@link VersionArchiveUnpacker}: no path outside the
 * directory, entries and bytes bounded, {@code saved_model.pb} at the root);</li>
 * <li>renames the directory atomically to {@code <store>/<model>/<version>}, where the
 * store's scan picks it up as any new version.</li>
 * </ol>
 * Every call sends {@code Authorization: Bearer <registration token>}. One version's
 * failure does not stop the others. Versions are never deleted from the local store.
 * Metric {@code warden_worker_model_store_sync_total{outcome=synced|refused|failed}}.
 */
@Component
class StoreSync implements SmartLifecycle {

	static final String TEMP_PREFIX = ".sync-";

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	/** Largest listing read (a few hundred bytes per version). */
	private static final int MAX_LISTING_BYTES = 16 * 1024 * 1024;

	/** Temporary directories older than this are left-overs of a stopped worker. */
	private static final Duration STALE = Duration.ofHours(1);

	private static final Logger log = LoggerFactory.getLogger(StoreSync.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final StoreSyncProperties properties;

	private final ModelStoreProperties store;

	private final String platformUrl;

	private final String token;

	private final Counter synced;

	private final Counter refused;

	private final Counter failed;

	/**
	 * The last problem logged per version (or for the listing), so each is logged once.
	 */
	private final Map<String, String> reported = new ConcurrentHashMap<>();

	private volatile ScheduledExecutorService scheduler;

	StoreSync(StoreSyncProperties properties, ModelStoreProperties store, Environment environment,
			MeterRegistry meters) {
		this.properties = properties;
		this.store = store;
		String url = environment.getProperty("warden.registration.platform-url", "").strip();
		this.platformUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
		this.token = environment.getProperty("warden.registration.token", "").strip();
		this.synced = counter(meters, "synced");
		this.refused = counter(meters, "refused");
		this.failed = counter(meters, "failed");
	}

	private static Counter counter(MeterRegistry meters, String outcome) {
		return Counter.builder("warden.worker.model.store.sync")
			.description("versions of the platform's model store copied into the local store (synced), refused "
					+ "(size, SHA-256 or content) or failed (network, disk), per attempt")
			.tag("outcome", outcome)
			.register(meters);
	}

	@Override
	public void start() {
		if (!this.properties.sync()) {
			return;
		}
		if (this.platformUrl.isEmpty()) {
			log.warn("warden.worker.model-store.sync is on but no platform URL is set (WARDEN_PLATFORM_URL): "
					+ "the model store is not synced");
			return;
		}
		if (this.token.isEmpty()) {
			log.warn("warden.worker.model-store.sync is on but no registration token is set "
					+ "(WARDEN_REGISTRATION_TOKEN): the model store is not synced");
			return;
		}
		deleteStaleTemporaryDirectories();
		log.info("Syncing the model store from {} into {} every {}", this.platformUrl, root(),
				this.store.pollInterval());
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "model-store-sync");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::syncOnce, 0, this.store.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
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

	private Path root() {
		return this.store.path().toAbsolutePath().normalize();
	}

	/** One pass: lists the platform's store and copies what the local store lacks. */
	void syncOnce() {
		List<Listed> listing;
		try {
			listing = list();
			clear("listing");
		}
		catch (IOException | RuntimeException ex) {
			reportOnce("listing", "Model store sync: cannot list " + this.platformUrl
					+ "/internal/v1/model-store (retried every " + this.store.pollInterval() + "): " + ex.getMessage());
			return;
		}
		for (Listed version : listing) {
			if (Thread.currentThread().isInterrupted()) {
				return;
			}
			Path target = root().resolve(version.model()).resolve(Long.toString(version.version()));
			if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
				continue;
			}
			try {
				if (copy(version, target)) {
					this.synced.increment();
					clear(version.key());
					log.info("Model store sync: {} copied from the platform ({} bytes, sha256 {})", version.key(),
							version.sizeBytes(), version.sha256());
				}
			}
			catch (VersionArchiveUnpacker.RefusedArchiveException ex) {
				this.refused.increment();
				reportOnce(version.key(), "Model store sync: refused " + version.key() + " (retried every "
						+ this.store.pollInterval() + "): " + ex.getMessage());
			}
			catch (IOException | RuntimeException ex) {
				this.failed.increment();
				reportOnce(version.key(), "Model store sync: could not copy " + version.key() + " (retried every "
						+ this.store.pollInterval() + "): " + ex);
			}
		}
	}

	private List<Listed> list() throws IOException {
		HttpURLConnection connection = open("/internal/v1/model-store");
		try {
			int status = connection.getResponseCode();
			if (status != 200) {
				throw new IOException("HTTP " + status + answerOf(connection));
			}
			byte[] body;
			try (InputStream in = connection.getInputStream()) {
				body = in.readNBytes(MAX_LISTING_BYTES + 1);
			}
			if (body.length > MAX_LISTING_BYTES) {
				throw new IOException("the listing is larger than " + MAX_LISTING_BYTES + " bytes");
			}
			JsonNode versions = JSON.readTree(body).path("versions");
			List<Listed> listed = new ArrayList<>();
			for (JsonNode entry : versions) {
				String model = entry.path("model").asString("");
				long version = entry.path("version").asLong(-1);
				String sha256 = entry.path("sha256").asString("");
				long size = entry.path("size_bytes").asLong(-1);
				if (!MODEL.matcher(model).matches() || version < 0 || !SHA256.matcher(sha256).matches() || size <= 0) {
					reportOnce("entry " + entry, "Model store sync: ignoring a malformed listing entry " + entry);
					continue;
				}
				listed.add(new Listed(model, version, sha256, size));
			}
			// newest first, so a new version is not queued behind a model's history
			listed.sort(Comparator.comparing(Listed::version).reversed().thenComparing(Listed::model));
			return listed;
		}
		finally {
			connection.disconnect();
		}
	}

	/**
	 * Downloads, checks, unpacks and renames one version; false if another process put
	 * the version in place meanwhile.
	 */
	private boolean copy(Listed version, Path target) throws IOException {
		long maxBytes = this.properties.syncMaxBytes().toBytes();
		if (version.sizeBytes() > maxBytes) {
			throw new VersionArchiveUnpacker.RefusedArchiveException("the archive has " + version.sizeBytes()
					+ " bytes, more than warden.worker.model-store.sync-max-bytes (" + maxBytes + ")");
		}
		Path root = root();
		Files.createDirectories(root);
		Path temporary = Files.createDirectory(root.resolve(TEMP_PREFIX + UUID.randomUUID()));
		try {
			Path archive = temporary.resolve("archive.zip");
			download(version, archive);
			Path unpacked = temporary.resolve("version");
			Files.createDirectory(unpacked);
			VersionArchiveUnpacker.unpack(archive, unpacked, maxBytes, this.properties.syncMaxEntries());
			Files.delete(archive);
			Files.createDirectories(target.getParent());
			if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
				return false;
			}
			try {
				Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException ex) {
				return false;
			}
			return true;
		}
		finally {
			deleteQuietly(temporary);
		}
	}

	/**
	 * Streams the archive into {@code file}; refuses it unless its size and SHA-256 are
	 * the listed ones.
	 */
	private void download(Listed version, Path file) throws IOException {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		HttpURLConnection connection = open(
				"/internal/v1/model-store/" + version.model() + "/versions/" + version.version() + "/archive");
		long size = 0;
		try {
			int status = connection.getResponseCode();
			if (status != 200) {
				throw new IOException("HTTP " + status + answerOf(connection));
			}
			try (InputStream in = connection.getInputStream();
					OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
				byte[] buffer = new byte[64 * 1024];
				int n;
				while ((n = in.read(buffer)) >= 0) {
					size += n;
					if (size > version.sizeBytes()) {
						throw new VersionArchiveUnpacker.RefusedArchiveException(
								"the archive is longer than the listed " + version.sizeBytes() + " bytes");
					}
					sha256.update(buffer, 0, n);
					out.write(buffer, 0, n);
				}
			}
		}
		finally {
			connection.disconnect();
		}
		if (size != version.sizeBytes()) {
			throw new IOException("the archive ended after " + size + " of " + version.sizeBytes() + " bytes");
		}
		String actual = HexFormat.of().formatHex(sha256.digest());
		if (!actual.equals(version.sha256())) {
			throw new VersionArchiveUnpacker.RefusedArchiveException("SHA-256 mismatch: the platform lists "
					+ version.sha256() + ", the archive received has " + actual + "; not unpacked");
		}
	}

	private HttpURLConnection open(String path) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) URI.create(this.platformUrl + path).toURL().openConnection();
		connection
			.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, this.properties.syncConnectTimeout().toMillis()));
		connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, this.properties.syncReadTimeout().toMillis()));
		connection.setInstanceFollowRedirects(false);
		connection.setUseCaches(false);
		connection.setRequestProperty("Authorization", "Bearer " + this.token);
		connection.setRequestProperty("Accept", "application/json, application/zip");
		return connection;
	}

	private static String answerOf(HttpURLConnection connection) {
		try (InputStream error = connection.getErrorStream()) {
			if (error == null) {
				return "";
			}
			String text = new String(error.readNBytes(512), StandardCharsets.UTF_8).strip();
			return text.isEmpty() ? "" : ": " + text;
		}
		catch (IOException ex) {
			return "";
		}
	}

	/** Removes {@code .sync-*} directories a stopped worker left behind. */
	private void deleteStaleTemporaryDirectories() {
		Path root = root();
		if (!Files.isDirectory(root)) {
			return;
		}
		FileTime before = FileTime.from(Instant.now().minus(STALE));
		try (DirectoryStream<Path> temporary = Files.newDirectoryStream(root, TEMP_PREFIX + "*")) {
			for (Path dir : temporary) {
				if (Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).compareTo(before) < 0) {
					deleteQuietly(dir);
				}
			}
		}
		catch (IOException ex) {
			log.debug("Could not look for left-over sync directories in {}: {}", root, ex.getMessage());
		}
	}

	private void reportOnce(String key, String message) {
		if (!message.equals(this.reported.put(key, message))) {
			log.warn(message);
		}
		else {
			log.debug(message);
		}
	}

	private void clear(String key) {
		if (this.reported.remove(key) != null && "listing".equals(key)) {
			log.info("Model store sync: the platform's model store can be listed again");
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			FileSystemUtils.deleteRecursively(path);
		}
		catch (IOException ex) {
			log.warn("Could not delete {}: {}", path, ex.getMessage());
		}
	}

	/** One version as the platform lists it. */
	record Listed(String model, long version, String sha256, long sizeBytes) {

		String key() {
			return this.model + "/" + this.version;
		}

	}

}
