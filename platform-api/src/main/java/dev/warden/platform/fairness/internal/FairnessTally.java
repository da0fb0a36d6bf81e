package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts a fairness check's rows as they stream past: per combination of the sensitive
 * attributes' groups (a cell), the confusion counts. Memory grows with the number of
 * groups, never with the number of rows: an attribute with more than
 * {@code maxGroupsPerAttribute} distinct groups is refused. Not thread-safe.
 */
public final class FairnessTally {

	/** The default limit of distinct groups per attribute. */
	public static final int DEFAULT_MAX_GROUPS_PER_ATTRIBUTE = 50;

	private final List<SensitiveAttribute> attributes;

	private final int maxGroups;

	private final List<Map<String, Integer>> indices = new ArrayList<>();

	private final List<List<String>> labels = new ArrayList<>();

	private final Map<CellKey, long[]> cells = new HashMap<>();

	private final CellKey probe;

	private long rows;

	public FairnessTally(List<SensitiveAttribute> attributes) {
		this(attributes, DEFAULT_MAX_GROUPS_PER_ATTRIBUTE);
	}

	/**
	 * @param attributes the sensitive attributes, in the order of the cells
	 * {@link #add(String[], boolean, boolean)} is given
	 * @param maxGroupsPerAttribute more distinct groups in one attribute are refused
	 */
	public FairnessTally(List<SensitiveAttribute> attributes, int maxGroupsPerAttribute) {
		if (attributes == null || attributes.isEmpty()) {
			throw new IllegalArgumentException("a fairness check needs at least one sensitive attribute");
		}
		if (maxGroupsPerAttribute < 1) {
			throw new IllegalArgumentException("the limit of groups per attribute must be at least 1");
		}
		Set<String> names = new HashSet<>();
		for (SensitiveAttribute attribute : attributes) {
			if (attribute == null) {
				throw new IllegalArgumentException("a sensitive attribute is missing (null)");
			}
			if (!names.add(attribute.name())) {
				throw new IllegalArgumentException(
						"sensitive attribute '" + attribute.name() + "' is listed more than once");
			}
			this.indices.add(new HashMap<>());
			this.labels.add(new ArrayList<>());
		}
		this.attributes = List.copyOf(attributes);
		this.maxGroups = maxGroupsPerAttribute;
		this.probe = new CellKey(new int[attributes.size()]);
	}

	/**
	 * @param sensitive the raw cells of the sensitive attributes, in the order of the
	 * attributes
	 * @param actual whether the row's label is the positive label
	 * @param predicted whether the model predicted the positive class
	 * @throws IllegalArgumentException when the number of cells is not the number of
	 * attributes
	 * @throws IllegalStateException when an attribute gets more distinct groups than the
	 * limit
	 */
	public void add(String[] sensitive, boolean actual, boolean predicted) {
		if (sensitive == null || sensitive.length != this.attributes.size()) {
			throw new IllegalArgumentException("a row needs " + this.attributes.size()
					+ " sensitive cells, one per attribute, not " + ((sensitive != null) ? sensitive.length : 0));
		}
		int[] key = this.probe.groups;
		for (int a = 0; a < key.length; a++) {
			key[a] = index(a, this.attributes.get(a).group(sensitive[a]));
		}
		this.probe.rehash();
		long[] counts = this.cells.get(this.probe);
		if (counts == null) {
			counts = new long[4];
			this.cells.put(new CellKey(key.clone()), counts);
		}
		counts[actual ? (predicted ? 0 : 3) : (predicted ? 1 : 2)]++;
		this.rows++;
	}

	/**
	 * Adds rows already counted elsewhere (e.g. additive counts kept per group): the same
	 * as {@link #add(String[], boolean, boolean)} once per row.
	 * @param sensitive the raw cells of the sensitive attributes, in the order of the
	 * attributes
	 * @param counts the rows' confusion counts
	 * @throws IllegalArgumentException when the number of cells is not the number of
	 * attributes
	 * @throws IllegalStateException when an attribute gets more distinct groups than the
	 * limit
	 */
	public void add(String[] sensitive, GroupCounts counts) {
		if (sensitive == null || sensitive.length != this.attributes.size()) {
			throw new IllegalArgumentException("a row needs " + this.attributes.size()
					+ " sensitive cells, one per attribute, not " + ((sensitive != null) ? sensitive.length : 0));
		}
		if (counts.n() == 0) {
			return;
		}
		int[] key = new int[sensitive.length];
		for (int a = 0; a < key.length; a++) {
			key[a] = index(a, this.attributes.get(a).group(sensitive[a]));
		}
		long[] cell = this.cells.computeIfAbsent(new CellKey(key), (k) -> new long[4]);
		cell[0] += counts.tp();
		cell[1] += counts.fp();
		cell[2] += counts.tn();
		cell[3] += counts.fn();
		this.rows += counts.n();
	}

	private int index(int attribute, String group) {
		Map<String, Integer> known = this.indices.get(attribute);
		Integer index = known.get(group);
		if (index != null) {
			return index;
		}
		if (known.size() == this.maxGroups) {
			throw new IllegalStateException("sensitive attribute '" + this.attributes.get(attribute).name()
					+ "' has more than " + this.maxGroups + " distinct groups (row " + (this.rows + 1)
					+ "): a column with so many values does not define groups; give bands for a numeric column, "
					+ "or choose a column with fewer values");
		}
		int added = known.size();
		known.put(group, added);
		this.labels.get(attribute).add(group);
		return added;
	}

	/** Rows counted. */
	public long rows() {
		return this.rows;
	}

	/** The sensitive attributes, in their declared order. */
	public List<SensitiveAttribute> attributes() {
		return this.attributes;
	}

	/** The number of cells (distinct combinations of groups) seen. */
	public int cellCount() {
		return this.cells.size();
	}

	/**
	 * The distinct groups of an attribute seen so far, in the attribute's group order.
	 */
	public List<String> groups(int attribute) {
		List<String> sorted = new ArrayList<>(this.labels.get(attribute));
		sorted.sort(this.attributes.get(attribute).groupOrder());
		return sorted;
	}

	/** The counts of every row. */
	public GroupCounts total() {
		GroupCounts total = GroupCounts.EMPTY;
		for (Cell cell : cells()) {
			total = total.plus(cell.counts());
		}
		return total;
	}

	/**
	 * The cells, ordered by their groups (each attribute in its group order, the first
	 * attribute first): the same counts give the same list whatever the order of the
	 * rows.
	 */
	public List<Cell> cells() {
		List<Cell> list = new ArrayList<>(this.cells.size());
		for (Map.Entry<CellKey, long[]> entry : this.cells.entrySet()) {
			int[] key = entry.getKey().groups;
			String[] groups = new String[key.length];
			for (int a = 0; a < key.length; a++) {
				groups[a] = this.labels.get(a).get(key[a]);
			}
			long[] c = entry.getValue();
			list.add(new Cell(List.of(groups), new GroupCounts(c[0], c[1], c[2], c[3])));
		}
		list.sort(cellOrder());
		return list;
	}

	private Comparator<Cell> cellOrder() {
		List<Comparator<String>> orders = new ArrayList<>();
		for (SensitiveAttribute attribute : this.attributes) {
			orders.add(attribute.groupOrder());
		}
		return (left, right) -> {
			for (int a = 0; a < orders.size(); a++) {
				int compared = orders.get(a).compare(left.groups().get(a), right.groups().get(a));
				if (compared != 0) {
					return compared;
				}
			}
			return 0;
		};
	}

	/**
	 * The rows of one combination of groups.
	 *
	 * @param groups one group per attribute, in the attributes' order
	 * @param counts their confusion counts
	 */
	public record Cell(List<String> groups, GroupCounts counts) {
	}

	private static final class CellKey {

		private final int[] groups;

		private int hash;

		CellKey(int[] groups) {
			this.groups = groups;
			rehash();
		}

		void rehash() {
			this.hash = Arrays.hashCode(this.groups);
		}

		@Override
		public boolean equals(Object other) {
			return (other instanceof CellKey key) && Arrays.equals(this.groups, key.groups);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

	}

}
