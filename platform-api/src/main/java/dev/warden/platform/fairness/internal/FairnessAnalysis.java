package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The metrics of a fairness check computed from a {@link FairnessTally}: per attribute
 * and per intersection of attributes, each group's rates with Wilson intervals, the
 * disparities against the reference group and between groups, the four-fifths ratios, and
 * the Theil index of the whole population, the disparities with stratified bootstrap
 * intervals resampled from the counts. Plain computation: no rows, no I/O; the same tally
 * and settings give the same content, to the byte (docs/governance.md, "Metrics").
 */
public final class FairnessAnalysis {

	/** Joins the names and group labels of an intersection. */
	public static final String INTERSECTION = " × ";

	static final String BOOTSTRAP_SCHEME = "stratified: each group resampled within itself";

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private FairnessAnalysis() {
	}

	/**
	 * @param tally the counted rows
	 * @param settings how to compute
	 * @return the report's results (docs/governance.md)
	 */
	public static ObjectNode analyse(FairnessTally tally, Settings settings) {
		Objects.requireNonNull(tally, "tally");
		Objects.requireNonNull(settings, "settings");
		double z = WilsonInterval.z(settings.confidenceLevel());
		List<FairnessTally.Cell> cells = tally.cells();
		GroupCounts total = GroupCounts.EMPTY;
		for (FairnessTally.Cell cell : cells) {
			total = total.plus(cell.counts());
		}
		ObjectNode content = NODES.objectNode();
		content.set("settings", settings.json());
		ObjectNode overall = content.putObject("overall");
		counts(overall, total);
		overall.set("metrics", rates(total, z));
		content.set("theil_index", theil(cells, total, settings));
		ArrayNode attributes = content.putArray("attributes");
		for (int[] combination : combinations(tally.attributes().size(), settings.maxIntersectionOrder())) {
			attributes.add(attribute(tally, cells, combination, settings, z));
		}
		content.set("definitions", FairnessDefinitions.json(NODES));
		return content;
	}

	/**
	 * The attributes, then every combination of 2..maxOrder attributes (by size, each in
	 * attribute order).
	 */
	static List<int[]> combinations(int attributes, int maxOrder) {
		List<int[]> all = new ArrayList<>();
		for (int order = 1; order <= Math.min(attributes, maxOrder); order++) {
			collect(new int[order], 0, 0, attributes, all);
		}
		return all;
	}

	private static void collect(int[] chosen, int position, int from, int attributes, List<int[]> into) {
		if (position == chosen.length) {
			into.add(chosen.clone());
			return;
		}
		for (int a = from; a < attributes; a++) {
			chosen[position] = a;
			collect(chosen, position + 1, a + 1, attributes, into);
		}
	}

	/**
	 * AIF360's generalized entropy index with α = 1 of the benefits b = ŷ − y + 1 (TP and
	 * TN: 1, FP: 2, FN: 0), from counts.
	 */
	static FairnessValue theilIndex(GroupCounts c) {
		if (c.n() == 0) {
			return FairnessValue.undefined("no rows");
		}
		double n = c.n();
		double mean = (c.correct() + 2.0 * c.fp()) / n;
		if (mean == 0) {
			return FairnessValue.undefined("every row is a false negative: the mean benefit is 0");
		}
		double sum = 0;
		if (c.correct() > 0) {
			sum += c.correct() * (1 / mean) * Math.log(1 / mean);
		}
		if (c.fp() > 0) {
			sum += c.fp() * (2 / mean) * Math.log(2 / mean);
		}
		return FairnessValue.of(sum / n);
	}

	private static ObjectNode theil(List<FairnessTally.Cell> cells, GroupCounts total, Settings settings) {
		FairnessValue point = theilIndex(total);
		BootstrapInterval interval = null;
		if (point.defined() && settings.resamples() > 0) {
			BootstrapResampler resampler = new BootstrapResampler(settings.seed(), "theil index");
			double[] values = new double[settings.resamples()];
			int used = 0;
			for (int r = 0; r < settings.resamples(); r++) {
				GroupCounts drawn = GroupCounts.EMPTY;
				for (FairnessTally.Cell cell : cells) {
					drawn = drawn.plus(resampler.resample(cell.counts()));
				}
				FairnessValue value = theilIndex(drawn);
				if (value.defined()) {
					values[used++] = value.value();
				}
			}
			interval = BootstrapInterval.percentile(values, used, settings.confidenceLevel());
		}
		return bootstrapMetric(point, interval, settings.resamples());
	}

	private static ObjectNode attribute(FairnessTally tally, List<FairnessTally.Cell> cells, int[] combination,
			Settings settings, double z) {
		List<SensitiveAttribute> attributes = new ArrayList<>();
		List<String> names = new ArrayList<>();
		List<Comparator<String>> orders = new ArrayList<>();
		for (int a : combination) {
			SensitiveAttribute attribute = tally.attributes().get(a);
			attributes.add(attribute);
			names.add(attribute.name());
			orders.add(attribute.groupOrder());
		}
		Map<List<String>, GroupCounts> byGroup = new TreeMap<>((left, right) -> {
			for (int i = 0; i < orders.size(); i++) {
				int compared = orders.get(i).compare(left.get(i), right.get(i));
				if (compared != 0) {
					return compared;
				}
			}
			return 0;
		});
		for (FairnessTally.Cell cell : cells) {
			List<String> key = new ArrayList<>(combination.length);
			for (int a : combination) {
				key.add(cell.groups().get(a));
			}
			byGroup.merge(List.copyOf(key), cell.counts(), GroupCounts::plus);
		}
		List<String> declared = new ArrayList<>();
		for (SensitiveAttribute attribute : attributes) {
			declared.add(attribute.reference());
		}
		boolean allDeclared = !declared.contains(null);
		if (allDeclared) {
			byGroup.putIfAbsent(List.copyOf(declared), GroupCounts.EMPTY);
		}

		List<Group> groups = new ArrayList<>();
		for (Map.Entry<List<String>, GroupCounts> entry : byGroup.entrySet()) {
			groups.add(new Group(String.join(INTERSECTION, entry.getKey()), entry.getValue(),
					suppression(entry.getValue(), settings)));
		}
		Group reference = null;
		String source = "none";
		if (allDeclared) {
			String label = String.join(INTERSECTION, declared);
			reference = groups.stream().filter((group) -> group.label().equals(label)).findFirst().orElseThrow();
			source = "declared";
		}
		else {
			reference = largest(groups, true);
			if (reference == null) {
				reference = largest(groups, false);
			}
			if (reference != null) {
				source = "largest_group";
			}
		}

		List<Group> members = groups.stream().filter((group) -> group.suppressed() == null).toList();
		List<String> labels = members.stream().map(Group::label).toList();
		GroupCounts[] memberCounts = members.stream().map(Group::counts).toArray(GroupCounts[]::new);
		int referenceIndex = members.indexOf(reference);
		String noReference = (reference == null) ? "there is no group to compare with"
				: "the reference group " + reference.label() + " is suppressed (" + reference.suppressed() + ")";
		GroupComparison comparison = new GroupComparison(labels, memberCounts, referenceIndex, noReference);
		FairnessValue[] point = comparison.compute(memberCounts);
		BootstrapInterval[] intervals = bootstrap(comparison, memberCounts, point, settings,
				"attribute " + String.join(INTERSECTION, names));

		ObjectNode node = NODES.objectNode();
		node.put("name", String.join(INTERSECTION, names));
		ArrayNode columns = node.putArray("columns");
		names.forEach(columns::add);
		if (reference != null) {
			node.put("reference", reference.label());
		}
		else {
			node.putNull("reference");
		}
		node.put("reference_source", source);
		ArrayNode groupNodes = node.putArray("groups");
		for (Group group : groups) {
			ObjectNode entry = groupNodes.addObject();
			entry.put("group", group.label());
			counts(entry, group.counts());
			entry.put("suppressed", group.suppressed() != null);
			if (group.suppressed() != null) {
				entry.put("suppressed_reason", group.suppressed());
			}
			entry.set("metrics", rates(group.counts(), z));
		}
		ArrayNode against = node.putArray("against_reference");
		for (int k = 0; k < comparison.againstCount(); k++) {
			ObjectNode entry = against.addObject();
			entry.put("group", labels.get(comparison.againstGroup(k)));
			for (int metric = 0; metric < GroupComparison.AGAINST_REFERENCE.size(); metric++) {
				int index = comparison.againstIndex(k, metric);
				entry.set(GroupComparison.AGAINST_REFERENCE.get(metric),
						bootstrapMetric(point[index], intervals[index], settings.resamples()));
			}
		}
		ObjectNode between = node.putObject("between_groups");
		for (int metric = 0; metric < GroupComparison.BETWEEN_GROUPS.size(); metric++) {
			int index = comparison.betweenIndex(metric);
			between.set(GroupComparison.BETWEEN_GROUPS.get(metric),
					bootstrapMetric(point[index], intervals[index], settings.resamples()));
		}
		ArrayNode fourFifths = node.putArray("four_fifths");
		for (int k = 0; k < comparison.fourFifthsCount(); k++) {
			int index = comparison.fourFifthsIndex(k);
			ObjectNode entry = fourFifths.addObject();
			entry.put("group", labels.get(comparison.fourFifthsGroup(k)));
			entry.set("ratio", bootstrapMetric(point[index], intervals[index], settings.resamples()));
			entry.put("highest_rate_group", labels.get(comparison.highest()));
			if (point[index].defined()) {
				entry.put("below_four_fifths", point[index].value() < 0.8);
			}
			else {
				entry.putNull("below_four_fifths");
			}
		}
		ArrayNode suppressed = node.putArray("suppressed");
		for (Group group : groups) {
			if (group.suppressed() != null) {
				ObjectNode entry = suppressed.addObject();
				entry.put("group", group.label());
				entry.put("n", group.counts().n());
				entry.put("positives", group.counts().positives());
				entry.put("reason", group.suppressed());
			}
		}
		return node;
	}

	private static Group largest(List<Group> groups, boolean compared) {
		Group largest = null;
		for (Group group : groups) {
			if (compared && group.suppressed() != null) {
				continue;
			}
			if (largest == null || group.counts().n() > largest.counts().n()) {
				largest = group;
			}
		}
		return largest;
	}

	/** Why a group is left out of the disparities, or {@code null}. */
	static String suppression(GroupCounts counts, Settings settings) {
		List<String> reasons = new ArrayList<>(2);
		if (counts.n() < settings.minGroupSize()) {
			reasons.add("n = " + counts.n() + " < " + settings.minGroupSize());
		}
		if (counts.positives() < settings.minPositives()) {
			reasons.add("positives = " + counts.positives() + " < " + settings.minPositives());
		}
		return reasons.isEmpty() ? null : String.join("; ", reasons);
	}

	private static BootstrapInterval[] bootstrap(GroupComparison comparison, GroupCounts[] observed,
			FairnessValue[] point, Settings settings, String stream) {
		int statistics = point.length;
		BootstrapInterval[] intervals = new BootstrapInterval[statistics];
		int resamples = settings.resamples();
		double[][] values = new double[statistics][];
		boolean any = false;
		for (int s = 0; s < statistics; s++) {
			if (point[s].defined() && resamples > 0) {
				values[s] = new double[resamples];
				any = true;
			}
		}
		if (!any) {
			return intervals;
		}
		int[] used = new int[statistics];
		BootstrapResampler resampler = new BootstrapResampler(settings.seed(), stream);
		GroupCounts[] drawn = new GroupCounts[observed.length];
		for (int r = 0; r < resamples; r++) {
			for (int g = 0; g < observed.length; g++) {
				drawn[g] = resampler.resample(observed[g]);
			}
			FairnessValue[] resampled = comparison.compute(drawn);
			for (int s = 0; s < statistics; s++) {
				if (values[s] != null && resampled[s].defined()) {
					values[s][used[s]++] = resampled[s].value();
				}
			}
		}
		for (int s = 0; s < statistics; s++) {
			if (values[s] != null) {
				intervals[s] = BootstrapInterval.percentile(values[s], used[s], settings.confidenceLevel());
			}
		}
		return intervals;
	}

	private static void counts(ObjectNode node, GroupCounts counts) {
		node.put("n", counts.n());
		node.put("positives", counts.positives());
		node.put("predicted_positives", counts.predictedPositives());
		ObjectNode confusion = node.putObject("confusion");
		confusion.put("tp", counts.tp());
		confusion.put("fp", counts.fp());
		confusion.put("tn", counts.tn());
		confusion.put("fn", counts.fn());
	}

	private static ObjectNode rates(GroupCounts counts, double z) {
		ObjectNode metrics = NODES.objectNode();
		FairnessValue[] values = GroupRates.all(counts);
		long[][] fractions = GroupRates.fractions(counts);
		for (int i = 0; i < values.length; i++) {
			ObjectNode metric = metrics.putObject(GroupRates.NAMES.get(i));
			if (values[i].defined()) {
				WilsonInterval interval = WilsonInterval.of(fractions[i][0], fractions[i][1], z);
				metric.put("value", values[i].value());
				metric.put("ci_low", interval.low());
				metric.put("ci_high", interval.high());
			}
			else {
				undefined(metric, values[i]);
			}
		}
		return metrics;
	}

	private static ObjectNode bootstrapMetric(FairnessValue point, BootstrapInterval interval, int resamples) {
		ObjectNode metric = NODES.objectNode();
		if (!point.defined()) {
			undefined(metric, point);
			return metric;
		}
		metric.put("value", point.value());
		if (interval != null) {
			metric.put("ci_low", interval.low());
			metric.put("ci_high", interval.high());
		}
		if (resamples > 0 && (interval == null || interval.used() < resamples)) {
			metric.put("resamples_used", (interval != null) ? interval.used() : 0);
		}
		return metric;
	}

	private static void undefined(ObjectNode metric, FairnessValue value) {
		metric.putNull("value");
		metric.put("reason", value.reason());
	}

	private record Group(String label, GroupCounts counts, String suppressed) {
	}

	/**
	 * @param seed the bootstrap's seed
	 * @param resamples bootstrap resamples (0: no bootstrap intervals; at most 100,000)
	 * @param confidenceLevel of every interval (0.95), strictly between 0 and 1
	 * @param minGroupSize a group with fewer rows is suppressed from disparities (30; at
	 * least 1)
	 * @param minPositives a group with fewer actual positives is suppressed (10)
	 * @param maxIntersectionOrder intersections of up to this many attributes (2; 1:
	 * none)
	 */
	public record Settings(long seed, int resamples, double confidenceLevel, int minGroupSize, int minPositives,
			int maxIntersectionOrder) {

		/** The most resamples a check may ask for. */
		public static final int MAX_RESAMPLES = 100_000;

		/** The highest intersection order a check may ask for. */
		public static final int MAX_INTERSECTION_ORDER = 4;

		public Settings {
			if (resamples < 0 || resamples > MAX_RESAMPLES) {
				throw new IllegalArgumentException(
						"resamples must be between 0 and " + MAX_RESAMPLES + ", not " + resamples);
			}
			if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
				throw new IllegalArgumentException(
						"confidence_level must be strictly between 0 and 1 (e.g. 0.95), not " + confidenceLevel);
			}
			if (minGroupSize < 1) {
				throw new IllegalArgumentException("min_group_size must be at least 1, not " + minGroupSize);
			}
			if (minPositives < 0) {
				throw new IllegalArgumentException("min_positives cannot be negative (" + minPositives + ")");
			}
			if (maxIntersectionOrder < 1 || maxIntersectionOrder > MAX_INTERSECTION_ORDER) {
				throw new IllegalArgumentException("max_intersection_order must be between 1 (no intersections) and "
						+ MAX_INTERSECTION_ORDER + ", not " + maxIntersectionOrder);
			}
		}

		/**
		 * The defaults: 1000 resamples, 95%, groups of at least 30 with 10 positives,
		 * pairs.
		 */
		public static Settings defaults(long seed) {
			return new Settings(seed, 1000, 0.95, 30, 10, 2);
		}

		ObjectNode json() {
			ObjectNode node = NODES.objectNode();
			node.put("seed", this.seed);
			node.put("resamples", this.resamples);
			node.put("confidence_level", this.confidenceLevel);
			node.put("min_group_size", this.minGroupSize);
			node.put("min_positives", this.minPositives);
			node.put("max_intersection_order", this.maxIntersectionOrder);
			node.put("bootstrap", BOOTSTRAP_SCHEME);
			node.put("interval", "wilson");
			return node;
		}

	}

}
