package dev.warden.platform.system;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The values one label of one metric may take: the first {@code max} distinct values seen
 * are kept as they are, every later one becomes {@value #OTHER}. Every distinct label
 * value is a time series in each scraper and in this registry, kept for the life of the
 * process: tenants, models and versions are created by users, so without a bound one busy
 * installation (or one client sending made-up names) could grow the registry and the
 * scrape without limit. Thread-safe; a value already admitted costs one set lookup.
 */
public final class MetricLabels {

	/** The label value that stands for every value past the bound. */
	public static final String OTHER = "other";

	private final int max;

	private final Set<String> admitted = ConcurrentHashMap.newKeySet();

	private final AtomicInteger size = new AtomicInteger();

	MetricLabels(int max) {
		this.max = max;
	}

	/**
	 * The label value to report for {@code value}: itself while the bound allows it,
	 * otherwise {@value #OTHER}.
	 */
	public String of(String value) {
		if (this.admitted.contains(value)) {
			return value;
		}
		// reserve a place first so that concurrent callers never admit more than max
		if (this.size.incrementAndGet() > this.max) {
			this.size.decrementAndGet();
			return OTHER;
		}
		if (!this.admitted.add(value)) {
			// another thread admitted the same value meanwhile
			this.size.decrementAndGet();
		}
		return value;
	}

}
