package dev.warden.platform.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.monitoring.internal.DriftFeature;
import dev.warden.platform.monitoring.internal.DriftPrediction;
import dev.warden.platform.monitoring.internal.DriftProfile;
import dev.warden.platform.monitoring.internal.DriftStatistics;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The drift answers of the admin API: a version's reference profile, its live counts over
 * a range, and the drift statistics per window against the reference, computed on read
 * from the flushed chunks of every replica (docs/monitoring.md#data-drift).
 */
@Service
class DriftReports {

	static final Duration MAX_RANGE = Duration.ofDays(31);

	static final int MAX_WINDOWS = 1_000;

	private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private final DriftStore store;

	private final ModelCatalogue catalogue;

	private final MonitoringPolicies policies;

	private final long chunkSeconds;

	private final Clock clock = Clock.systemUTC();

	DriftReports(DriftStore store, ModelCatalogue catalogue, MonitoringPolicies policies, DriftProperties properties) {
		this.store = store;
		this.catalogue = catalogue;
		this.policies = policies;
		this.chunkSeconds = properties.chunk().getSeconds();
	}

	/**
	 * The version's reference profile as stored.
	 * @throws ApiException 404 unknown version or no profile yet
	 */
	Map<String, Object> profile(String model, long version) {
		DriftStore.StoredProfile stored = stored(model, version);
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("id", stored.profile().id());
		out.put("model", model);
		out.put("version", version);
		out.put("dataset_id", stored.datasetId());
		out.put("dataset_sha256", stored.datasetSha256());
		out.put("model_sha256", stored.modelSha256());
		out.put("created_by", stored.createdBy());
		out.put("created_at", stored.createdAt());
		out.put("profile", stored.profile().json());
		return out;
	}

	/**
	 * The live counts of the version under its newest profile, summed over {@code [from,
	 * to)}, in the profile's bins.
	 */
	Map<String, Object> live(String model, long version, String fromParameter, String toParameter) {
		DriftStore.StoredProfile stored = stored(model, version);
		DriftProfile profile = stored.profile();
		Range range = range(fromParameter, toParameter, this.policies.current().drift(model).window());
		Sum sum = sum(model, version, profile, range.from, range.to);
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("model", model);
		out.put("version", version);
		out.put("profile_id", profile.id());
		out.put("from", range.from);
		out.put("to", range.to);
		out.put("requests", sum.requests);
		out.put("samples", sum.samples);
		out.put("skipped_requests", sum.skipped);
		out.put("samples_of_other_profiles",
				this.store.samplesOfOtherProfiles(model, version, profile.id(), range.from, range.to));
		List<Map<String, Object>> features = new ArrayList<>();
		for (DriftFeature feature : profile.features()) {
			Map<String, Object> f = new LinkedHashMap<>();
			f.put("name", feature.name());
			f.put("kind", feature.kind());
			for (Distribution d : distributions(feature, profile.counts(), sum.counts)) {
				f.put(d.name, Map.of("bins", d.bins, "counts", d.live));
			}
			Map<String, Number> named = sum.newCategories.get(feature.name());
			if (named != null) {
				f.put("new_categories", named);
			}
			features.add(f);
		}
		out.put("features", features);
		Map<String, Object> prediction = new LinkedHashMap<>();
		for (Distribution d : distributions(profile.prediction(), profile.counts(), sum.counts)) {
			prediction.put(d.name, Map.of("bins", d.bins, "counts", d.live));
		}
		out.put("prediction", prediction);
		return out;
	}

	/**
	 * The drift statistics of the version per window of {@code [from, to)}.
	 * @throws ApiException 400 {@code invalid_parameter}, 404 unknown version or no
	 * profile
	 */
	Map<String, Object> drift(String model, long version, String fromParameter, String toParameter,
			String windowParameter) {
		DriftStore.StoredProfile stored = stored(model, version);
		DriftProfile profile = stored.profile();
		DriftSettings settings = this.policies.current().drift(model);
		Duration window = settings.window();
		if (windowParameter != null) {
			window = MonitoringPolicyParser.parseDuration(windowParameter);
			if (window == null || window.compareTo(MAX_RANGE) > 0) {
				throw ApiException.badRequest("invalid_parameter",
						"window: must be a duration like 30m, 1h or 1d (at most 31 days)");
			}
		}
		Range range = range(fromParameter, toParameter, window);
		long windowSeconds = window.getSeconds();
		long span = range.to.getEpochSecond() - range.from.getEpochSecond();
		long count = (span + windowSeconds - 1) / windowSeconds;
		if (count > MAX_WINDOWS) {
			throw ApiException.badRequest("invalid_parameter",
					"window: " + MonitoringPolicyParser.formatDuration(window) + " over this range gives " + count
							+ " windows, more than " + MAX_WINDOWS);
		}
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("model", model);
		out.put("version", version);
		out.put("profile_id", profile.id());
		out.put("dataset_id", stored.datasetId());
		out.put("from", range.from);
		out.put("to", range.to);
		out.put("window", MonitoringPolicyParser.formatDuration(window));
		Map<String, Object> thresholds = new LinkedHashMap<>();
		thresholds.put("psi", settings.psi());
		thresholds.put("js", settings.js());
		thresholds.put("ks", settings.ks());
		thresholds.put("min_samples", settings.minSamples());
		out.put("thresholds", thresholds);
		out.put("definitions", DEFINITIONS);
		List<Map<String, Object>> windows = new ArrayList<>();
		for (long i = 0; i < count; i++) {
			Instant start = range.from.plusSeconds(i * windowSeconds);
			Instant end = start.plusSeconds(windowSeconds);
			if (end.isAfter(range.to)) {
				end = range.to;
			}
			windows.add(window(model, version, profile, settings, start, end));
		}
		out.put("windows", windows);
		return out;
	}

	static final Map<String, String> DEFINITIONS = definitions();

	private static Map<String, String> definitions() {
		Map<String, String> d = new LinkedHashMap<>();
		d.put("psi", "sum over bins of (c_i - r_i) * ln(c_i / r_i), r and c the reference and live proportions, each "
				+ "first floored at " + DriftStatistics.PSI_EPSILON + " (natural log)");
		d.put("js", "Jensen-Shannon distance: sqrt(0.5 * sum r_i log2(r_i / m_i) + 0.5 * sum c_i log2(c_i / m_i)), "
				+ "m = (r + c) / 2, 0 log 0 = 0; log base 2, in [0, 1]");
		d.put("ks",
				"binned two-sample Kolmogorov-Smirnov statistic: max over the bins' upper edges of |R - C|, R "
						+ "and C the cumulative proportions over the ordered bins without 'missing'; at most the KS "
						+ "statistic of the raw values");
		d.put("ks_p_value", "asymptotic two-sample KS p-value of ks (Stephens): Q(lambda) = 2 sum_j (-1)^(j-1) "
				+ "exp(-2 j^2 lambda^2), lambda = (sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * ks, ne = ks_n_ref * ks_n_live "
				+ "/ (ks_n_ref + ks_n_live); at least the raw data's p-value (ks is binned); not used for the verdict");
		d.put("verdict", "insufficient_data when n_ref or the rows of the window are below min_samples; else drift "
				+ "when psi > psi threshold, js > js threshold or ks > ks threshold; else no_drift");
		return Map.copyOf(d);
	}

	private Map<String, Object> window(String model, long version, DriftProfile profile, DriftSettings settings,
			Instant start, Instant end) {
		Sum sum = sum(model, version, profile, start, end);
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("from", start);
		out.put("to", end);
		out.put("requests", sum.requests);
		out.put("samples", sum.samples);
		out.put("skipped_requests", sum.skipped);
		List<Map<String, Object>> features = new ArrayList<>();
		boolean anyDrift = false;
		boolean allInsufficient = true;
		for (DriftFeature feature : profile.features()) {
			Map<String, Object> f = assess(feature.name(), feature.kind(),
					distributions(feature, profile.counts(), sum.counts), settings);
			anyDrift |= "drift".equals(f.get("verdict"));
			allInsufficient &= "insufficient_data".equals(f.get("verdict"));
			features.add(f);
		}
		Map<String, Object> prediction = assess("prediction", "prediction",
				distributions(profile.prediction(), profile.counts(), sum.counts), settings);
		anyDrift |= "drift".equals(prediction.get("verdict"));
		out.put("verdict", anyDrift ? "drift" : (allInsufficient ? "insufficient_data" : "no_drift"));
		out.put("features", features);
		out.put("prediction", prediction);
		return out;
	}

	private static Map<String, Object> assess(String name, String kind, List<Distribution> distributions,
			DriftSettings settings) {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("name", name);
		out.put("kind", kind);
		List<Map<String, Object>> statistics = new ArrayList<>();
		boolean drift = false;
		boolean insufficient = false;
		for (Distribution d : distributions) {
			Map<String, Object> s = new LinkedHashMap<>();
			s.put("distribution", d.name);
			if (d.edges != null) {
				s.put("edges", d.edges);
			}
			s.put("bins", d.bins);
			s.put("reference_counts", d.reference);
			s.put("live_counts", d.live);
			long nRef = DriftStatistics.total(d.reference);
			long nLive = DriftStatistics.total(d.live);
			s.put("n_ref", nRef);
			s.put("n_live", nLive);
			double psi = DriftStatistics.psi(d.reference, d.live);
			double js = DriftStatistics.jensenShannon(d.reference, d.live);
			s.put("psi", finite(psi));
			s.put("js", finite(js));
			Double ks = null;
			if (d.ordered) {
				long[] r = Arrays.copyOf(d.reference, d.reference.length - 1);
				long[] c = Arrays.copyOf(d.live, d.live.length - 1);
				ks = finite(DriftStatistics.kolmogorovSmirnov(r, c));
				s.put("ks", ks);
				s.put("ks_n_ref", DriftStatistics.total(r));
				s.put("ks_n_live", DriftStatistics.total(c));
				s.put("ks_p_value", finite(DriftStatistics.kolmogorovSmirnovPValue((ks != null) ? ks : Double.NaN,
						DriftStatistics.total(r), DriftStatistics.total(c))));
			}
			Map<String, Object> thresholds = new LinkedHashMap<>();
			thresholds.put("psi", settings.psi());
			thresholds.put("js", settings.js());
			if (d.ordered) {
				thresholds.put("ks", settings.ks());
			}
			thresholds.put("min_samples", settings.minSamples());
			s.put("thresholds", thresholds);
			String verdict;
			if (d.rowsRef < settings.minSamples() || d.rowsLive < settings.minSamples()) {
				verdict = "insufficient_data";
				insufficient = true;
			}
			else if (psi > settings.psi() || js > settings.js() || (ks != null && ks > settings.ks())) {
				verdict = "drift";
				drift = true;
			}
			else {
				verdict = "no_drift";
			}
			s.put("verdict", verdict);
			statistics.add(s);
		}
		out.put("verdict", drift ? "drift" : (insufficient ? "insufficient_data" : "no_drift"));
		out.put("statistics", statistics);
		return out;
	}

	private static Double finite(double value) {
		return Double.isFinite(value) ? value : null;
	}

	/**
	 * One distribution compared: its bins' labels, the reference's and the live counts,
	 * whether its bins are ordered (then the last bin is {@code missing} and KS is
	 * computed without it), and the rows behind it (for {@code min_samples}: for a text
	 * input's tokens, the rows, not the tokens).
	 */
	private record Distribution(String name, List<String> bins, double[] edges, long[] reference, long[] live,
			boolean ordered, long rowsRef, long rowsLive) {
	}

	static List<Distribution> distributions(DriftFeature feature, long[] reference, long[] live) {
		int o = feature.offset();
		if (feature instanceof DriftFeature.Numeric n) {
			long[] r = Arrays.copyOfRange(reference, o, o + n.size());
			long[] c = Arrays.copyOfRange(live, o, o + n.size());
			return List.of(new Distribution("values", numericBins(n.edges()), n.edges(), r, c, true,
					DriftStatistics.total(r), DriftStatistics.total(c)));
		}
		if (feature instanceof DriftFeature.Categorical cat) {
			long[] r = Arrays.copyOfRange(reference, o, o + cat.size());
			long[] c = Arrays.copyOfRange(live, o, o + cat.size());
			List<String> bins = new ArrayList<>(cat.categories());
			bins.add("other");
			bins.add("missing");
			return List.of(new Distribution("categories", bins, null, r, c, false, DriftStatistics.total(r),
					DriftStatistics.total(c)));
		}
		DriftFeature.Text t = (DriftFeature.Text) feature;
		int tokenBins = t.tokenCountBins();
		long[] rCounts = new long[tokenBins + 1];
		long[] cCounts = new long[tokenBins + 1];
		System.arraycopy(reference, o, rCounts, 0, tokenBins);
		System.arraycopy(live, o, cCounts, 0, tokenBins);
		rCounts[tokenBins] = reference[o + t.size() - 1];
		cCounts[tokenBins] = live[o + t.size() - 1];
		long[] rHash = Arrays.copyOfRange(reference, o + tokenBins, o + tokenBins + t.hashBuckets());
		long[] cHash = Arrays.copyOfRange(live, o + tokenBins, o + tokenBins + t.hashBuckets());
		List<String> buckets = new ArrayList<>();
		for (int i = 0; i < t.hashBuckets(); i++) {
			buckets.add(Integer.toString(i));
		}
		long rowsRef = DriftStatistics.total(rCounts);
		long rowsLive = DriftStatistics.total(cCounts);
		return List.of(
				new Distribution("token_count", numericBins(t.tokenCountEdges()), t.tokenCountEdges(), rCounts, cCounts,
						true, rowsRef, rowsLive),
				new Distribution("token_hash_buckets", buckets, null, rHash, cHash, false, rowsRef, rowsLive));

	}

	static List<Distribution> distributions(DriftPrediction prediction, long[] reference, long[] live) {
		int o = prediction.offset();
		long[] rClass = Arrays.copyOfRange(reference, o, o + prediction.classSize());
		long[] cClass = Arrays.copyOfRange(live, o, o + prediction.classSize());
		List<String> classes = new ArrayList<>();
		prediction.classes().forEach((c) -> classes.add(Integer.toString(c)));
		classes.add("other");
		classes.add("missing");
		int s = prediction.scoreOffset();
		long[] rScore = Arrays.copyOfRange(reference, s, s + prediction.scoreSize());
		long[] cScore = Arrays.copyOfRange(live, s, s + prediction.scoreSize());
		List<String> scoreBins = numericBins(DriftPrediction.SCORE_EDGES);
		return List.of(
				new Distribution("class", classes, null, rClass, cClass, false, DriftStatistics.total(rClass),
						DriftStatistics.total(cClass)),
				new Distribution("score", scoreBins, DriftPrediction.SCORE_EDGES, rScore, cScore, true,
						DriftStatistics.total(rScore), DriftStatistics.total(cScore)));
	}

	/** Labels of the bins of {@code edges}, then {@code missing}. */
	static List<String> numericBins(double[] edges) {
		List<String> bins = new ArrayList<>();
		String previous = "-inf";
		for (double edge : edges) {
			String e = format(edge);
			bins.add(("-inf".equals(previous) ? "(" : "[") + previous + ", " + e + ")");
			previous = e;
		}
		bins.add(("-inf".equals(previous) ? "(" : "[") + previous + ", +inf)");
		bins.add("missing");
		return bins;
	}

	private static String format(double value) {
		return (value == Math.rint(value) && Math.abs(value) < 1e15) ? Long.toString((long) value)
				: String.format(Locale.ROOT, "%s", value);
	}

	private DriftStore.StoredProfile stored(String model, long version) {
		if (model == null || !MODEL.matcher(model).matches()) {
			throw ApiException.badRequest("invalid_parameter",
					"model: must be a model name (letters, digits, '.', '_', '-'; at most 64 characters)");
		}
		if (version < 0) {
			throw ApiException.badRequest("invalid_parameter", "version: must be a version number");
		}
		// a stored profile is enough: its version existed (and its live chunks stay
		// readable)
		Optional<DriftStore.StoredProfile> stored = this.store.newestProfile(model, version);
		if (stored.isPresent()) {
			return stored.get();
		}
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		throw ApiException.notFound("reference profile of version " + version + " of model " + model
				+ " (none was computed yet; POST /api/admin/models/" + model + "/versions/" + version
				+ "/drift-profiles computes one)");
	}

	private Sum sum(String model, long version, DriftProfile profile, Instant from, Instant to) {
		Sum sum = new Sum(profile.size());
		for (DriftStore.StoredChunk chunk : this.store.chunks(model, version, profile.id(), from, to)) {
			sum.requests += chunk.requests();
			sum.samples += chunk.samples();
			sum.skipped += chunk.skipped();
			for (int i = 0; i < sum.counts.length && i < chunk.counts().length; i++) {
				sum.counts[i] += chunk.counts()[i];
			}
			chunk.newCategories()
				.forEach((feature, values) -> values
					.forEach((value, n) -> sum.newCategories.computeIfAbsent(feature, (f) -> new LinkedHashMap<>())
						.merge(value, n.longValue(), (a, b) -> a.longValue() + b.longValue())));
		}
		return sum;
	}

	private Range range(String fromParameter, String toParameter, Duration defaultSpan) {
		Instant to = instant("to", toParameter, this.clock.instant());
		Instant from = instant("from", fromParameter, to.minus(defaultSpan));
		if (!from.isBefore(to)) {
			throw ApiException.badRequest("invalid_parameter", "from: " + from + " is not before to: " + to);
		}
		if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
			throw ApiException.badRequest("invalid_parameter",
					"from/to: the range is longer than " + MAX_RANGE.toDays() + " days; ask for a shorter range");
		}
		long start = Math.floorDiv(from.getEpochSecond(), this.chunkSeconds) * this.chunkSeconds;
		long endSeconds = to.getEpochSecond() + ((to.getNano() > 0) ? 1 : 0);
		long end = Math.floorDiv(endSeconds + this.chunkSeconds - 1, this.chunkSeconds) * this.chunkSeconds;
		return new Range(Instant.ofEpochSecond(start), Instant.ofEpochSecond(end));
	}

	private static Instant instant(String name, String value, Instant fallback) {
		if (value == null) {
			return fallback;
		}
		Instant instant;
		try {
			instant = Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("invalid_parameter", name + ": '" + value
					+ "' is not an instant like 2026-12-06T10:00:00Z (ISO-8601, UTC or with an offset)");
		}
		String problem = InputRules.timestampProblem(instant);
		if (problem != null) {
			throw ApiException.badRequest("invalid_parameter", name + ": " + problem);
		}
		return instant;
	}

	private record Range(Instant from, Instant to) {
	}

	private static final class Sum {

		final long[] counts;

		long requests;

		long samples;

		long skipped;

		final Map<String, Map<String, Number>> newCategories = new LinkedHashMap<>();

		Sum(int size) {
			this.counts = new long[size];
		}

	}

}
