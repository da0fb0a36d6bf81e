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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
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

import dev.warden.worker.source.AspiredModel;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.DesiredState;
import dev.warden.worker.source.InitialStoreFill;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.PlatformDesiredState;

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
 * failure does not stop the others.
 * <p>
 * The local store is a bounded cache ({@code warden.worker.model-store.sync-keep-latest},
 * N, 3 by default): of each model only the N newest listed versions and the versions the
 * platform's desired state routes to this worker are copied. A version the sync copied
 * (marked in {@code <store>/.synced/<model>/<version>}) is deleted once the desired state
 * is known and it is none of those, nor a version the worker aspires or labels; versions
 * put into the store otherwise are never deleted. With N = 0 every version is copied and
 * kept.
 * <p>
 * The first pass runs before the manager's startup pass ({@link InitialStoreFill}),
 * retried until the platform's store could be listed or
 * {@code warden.worker.model-store.sync-startup-wait} has passed: a new worker (a new pod
 * with an empty cache) thus loads the versions it copied in its startup pass and reports
 * ready only then, instead of ready with nothing to serve. Metric
 * {@code warden_worker_model_store_sync_total{outcome=synced|refused|failed}}.
 */
@Component
class StoreSync implements SmartLifecycle, InitialStoreFill {

	static final String TEMP_PREFIX = ".sync-";

	/**
	 * Where the versions the sync copied are marked:
	 * {@code <store>/.synced/<model>/<version>}.
	 */
	static final String MARKERS = ".synced";

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

	private static final SortedSet<Long> EMPTY = Collections.emptySortedSet();

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

	private final Counter evicted;

	private final AspiredVersionsSource source;

	private final PlatformDesiredState platform;

	/**
	 * The last problem logged per version (or for the listing), so each is logged once.
	 */
	private final Map<String, String> reported = new ConcurrentHashMap<>();

	private volatile ScheduledExecutorService scheduler;

	/** Whether the first pass ran before the startup pass (then the schedule waits). */
	private volatile boolean filledBeforeStartup;

	StoreSync(StoreSyncProperties properties, ModelStoreProperties store, AspiredVersionsSource source,
			PlatformDesiredState platform, Environment environment, MeterRegistry meters) {
		this.properties = properties;
		this.store = store;
		this.source = source;
		this.platform = platform;
		String url = environment.getProperty("warden.registration.platform-url", "").strip();
		this.platformUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
		this.token = environment.getProperty("warden.registration.token", "").strip();
		this.synced = counter(meters, "synced");
		this.refused = counter(meters, "refused");
		this.failed = counter(meters, "failed");
		this.evicted = counter(meters, "evicted");
	}

	private static Counter counter(MeterRegistry meters, String outcome) {
		return Counter.builder("warden.worker.model.store.sync")
			.description("versions of the platform's model store copied into the local store (synced), refused "
					+ "(size, SHA-256 or content) or failed (network, disk), per attempt; and copied versions deleted "
					+ "from the local store (evicted)")
			.tag("outcome", outcome)
			.register(meters);
	}

	/** Whether the sync is on and can run; logs why not once. */
	private boolean enabled(boolean logWhyNot) {
		if (!this.properties.sync()) {
			return false;
		}
		if (this.platformUrl.isEmpty()) {
			if (logWhyNot) {
				log.warn("warden.worker.model-store.sync is on but no platform URL is set (WARDEN_PLATFORM_URL): "
						+ "the model store is not synced");
			}
			return false;
		}
		if (this.token.isEmpty()) {
			if (logWhyNot) {
				log.warn("warden.worker.model-store.sync is on but no registration token is set "
						+ "(WARDEN_REGISTRATION_TOKEN): the model store is not synced");
			}
			return false;
		}
		return true;
	}

	@Override
	public void fillBeforeStartup() {
		if (!enabled(false)) {
			return;
		}
		deleteStaleTemporaryDirectories();
		long started = System.nanoTime();
		long waitNanos = this.properties.syncStartupWait().toNanos();
		long pauseMillis = Math.max(100, Math.min(this.store.pollInterval().toMillis(), 1000));
		boolean listed = syncOnce();
		while (!listed && System.nanoTime() - started < waitNanos) {
			try {
				Thread.sleep(pauseMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			listed = syncOnce();
		}
		this.filledBeforeStartup = true;
		Duration took = Duration.ofNanos(System.nanoTime() - started).truncatedTo(ChronoUnit.MILLIS);
		if (listed) {
			log.info("Model store sync: first pass done before the startup pass in {}", took);
		}
		else {
			log.warn("Model store sync: the platform's model store could not be listed within {} "
					+ "(warden.worker.model-store.sync-startup-wait); starting with the local store as it is and "
					+ "syncing in the background", this.properties.syncStartupWait());
		}
	}

	@Override
	public void start() {
		if (!enabled(true)) {
			return;
		}
		if (!this.filledBeforeStartup) {
			deleteStaleTemporaryDirectories();
		}
		log.info("Syncing the model store from {} into {} every {}", this.platformUrl, root(),
				this.store.pollInterval());
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "model-store-sync");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.store.pollInterval().toMillis();
		executor.scheduleWithFixedDelay(this::syncOnce, this.filledBeforeStartup ? interval : 0, interval,
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

	private Path root() {
		return this.store.path().toAbsolutePath().normalize();
	}

	/**
	 * One pass: lists the platform's store and copies what the local store lacks. Returns
	 * whether the store could be listed (a version that could not be copied is tried
	 * again at the next pass).
	 */
	boolean syncOnce() {
		List<Listed> listing;
		try {
			listing = list();
			clear("listing");
		}
		catch (IOException | RuntimeException ex) {
			reportOnce("listing", "Model store sync: cannot list " + this.platformUrl
					+ "/internal/v1/model-store (retried every " + this.store.pollInterval() + "): " + ex.getMessage());
			return false;
		}
		DesiredState desired = this.platform.current().orElse(null);
		Map<String, SortedSet<Long>> wanted = wanted(listing, desired);
		for (Listed version : listing) {
			if (Thread.currentThread().isInterrupted()) {
				return true;
			}
			if (wanted != null && !wanted.getOrDefault(version.model(), EMPTY).contains(version.version())) {
				continue;
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
		if (wanted != null && desired != null && !Thread.currentThread().isInterrupted()) {
			evict(wanted);
		}
		return true;
	}

	/**
	 * The versions the local cache holds, by model: the newest {@code sync-keep-latest}
	 * listed and those the desired state routes; {@code null} when every version is kept.
	 */
	private Map<String, SortedSet<Long>> wanted(List<Listed> listing, DesiredState desired) {
		int keep = this.properties.syncKeepLatest();
		if (keep == 0) {
			return null;
		}
		Map<String, SortedSet<Long>> wanted = new TreeMap<>();
		Map<String, Integer> taken = new TreeMap<>();
		// the listing is sorted newest first
		for (Listed version : listing) {
			if (taken.merge(version.model(), 1, Integer::sum) <= keep) {
				wanted.computeIfAbsent(version.model(), (model) -> new TreeSet<>()).add(version.version());
			}
		}
		if (desired != null) {
			desired.models()
				.forEach((model, versions) -> wanted.computeIfAbsent(model, (m) -> new TreeSet<>()).addAll(versions));
		}
		return wanted;
	}

	/**
	 * Deletes the versions this sync copied that are no longer wanted, nor aspired or
	 * labelled by the worker (the source's view: the platform's desired state, else the
	 * version policy over the store).
	 */
	private void evict(Map<String, SortedSet<Long>> wanted) {
		Path markers = root().resolve(MARKERS);
		if (!Files.isDirectory(markers, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		Map<String, SortedSet<Long>> keep = new TreeMap<>();
		wanted.forEach((model, versions) -> keep.computeIfAbsent(model, (m) -> new TreeSet<>()).addAll(versions));
		for (AspiredModel model : this.source.aspiredVersions().values()) {
			SortedSet<Long> kept = keep.computeIfAbsent(model.name(), (m) -> new TreeSet<>());
			kept.addAll(model.aspired());
			kept.addAll(model.missing());
			kept.addAll(this.source.configuredLabels(model.name()).values());
		}
		try (DirectoryStream<Path> models = Files.newDirectoryStream(markers)) {
			for (Path modelMarkers : models) {
				String model = modelMarkers.getFileName().toString();
				if (!MODEL.matcher(model).matches() || !Files.isDirectory(modelMarkers, LinkOption.NOFOLLOW_LINKS)) {
					continue;
				}
				try (DirectoryStream<Path> versions = Files.newDirectoryStream(modelMarkers)) {
					for (Path marker : versions) {
						evictOne(model, marker, keep.getOrDefault(model, EMPTY));
					}
				}
			}
		}
		catch (IOException ex) {
			reportOnce("eviction",
					"Model store sync: could not look for versions to delete in " + markers + ": " + ex.getMessage());
		}
	}

	private void evictOne(String model, Path marker, SortedSet<Long> keep) throws IOException {
		long version;
		try {
			version = Long.parseLong(marker.getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return;
		}
		Path dir = root().resolve(model).resolve(Long.toString(version));
		if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
			// the version was deleted by hand: forget it
			Files.deleteIfExists(marker);
			return;
		}
		if (keep.contains(version)) {
			return;
		}
		// out of the store's sight in one rename, then deleted
		Path doomed = root().resolve(TEMP_PREFIX + UUID.randomUUID());
		Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
		Files.deleteIfExists(marker);
		deleteQuietly(doomed);
		this.evicted.increment();
		log.info("Model store sync: {}/{} deleted from the local store (not among the {} newest listed, not routed to "
				+ "this worker, not served)", model, version, this.properties.syncKeepLatest());
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
			// marked before it appears (a marker whose version is absent is forgotten
			// later);
			// unmarked again if another process put the version in place first
			Path marker = root.resolve(MARKERS).resolve(version.model()).resolve(Long.toString(version.version()));
			Files.createDirectories(marker.getParent());
			boolean marked = false;
			try {
				Files.createFile(marker);
				marked = true;
			}
			catch (FileAlreadyExistsException ex) {
				// a copy of an earlier pass that another process or a hand removed
			}
			try {
				Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (IOException ex) {
				if (marked) {
					Files.deleteIfExists(marker);
				}
				if (ex instanceof FileAlreadyExistsException) {
					return false;
				}
				throw ex;
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
