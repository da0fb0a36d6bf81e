package dev.warden.worker.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.manager.VersionStatus;

/**
 * TF Serving's model status JSON, {@code {"model_version_status": [{"version", "state",
 * "status": {"error_code", "error_message"}}]}}: the answer of {@code GET /v1/models/{m}}
 * and of the control call {@code :reload}.
 */
public final class ModelStatusJson {

	private ModelStatusJson() {
	}

	public static Map<String, Object> of(List<VersionStatus> statuses) {
		List<Object> versions = statuses.stream().map(status -> {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("version", Long.toString(status.version()));
			entry.put("state", status.state().name());
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("error_code", status.failed() ? "UNKNOWN" : "OK");
			detail.put("error_message", status.failed() ? status.error() : "");
			entry.put("status", detail);
			return (Object) entry;
		}).toList();
		return Map.of("model_version_status", versions);
	}

}
