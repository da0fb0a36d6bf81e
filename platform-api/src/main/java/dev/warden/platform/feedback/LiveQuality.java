package dev.warden.platform.feedback;

import java.time.Instant;
import java.util.List;

import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.warden.platform.feedback.internal.FeedbackStore;
import dev.warden.platform.system.ApiException;

/**
 * The live-quality answer of {@code GET /api/admin/monitoring/quality} for other modules
 * (alert rules on live accuracy and fairness): the same report, with the fairness
 * settings' defaults for the minimum group size and positives.
 */
@Component
public class LiveQuality {

	private final LiveQualityReports reports;

	private final FeedbackStore store;

	LiveQuality(LiveQualityReports reports, FeedbackStore store) {
		this.reports = reports;
		this.store = store;
	}

	/**
	 * The versions of {@code model} (numbers) with outcome feedback on predictions made
	 * in {@code [from, to)}.
	 */
	public List<String> versions(String model, Instant from, Instant to) {
		return this.store.versions(model, from, to).stream().filter((v) -> v.matches("[0-9]{1,18}")).toList();
	}

	/**
	 * @param version the version (digits), or {@code null} for every version
	 * @param from ISO-8601 instant
	 * @param to ISO-8601 instant, exclusive
	 * @param window {@code 1h} or {@code 1d}
	 * @throws ApiException 404 when neither the catalogue nor any feedback knows the
	 * model
	 */
	public ObjectNode report(String model, String version, String from, String to, String window) {
		return this.reports.report(model, version, null, from, to, window, null, null);
	}

}
