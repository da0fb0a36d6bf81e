package dev.warden.console.adminapi;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * platform-api's explainability admin API, as the signed-in user: reference datasets,
 * report jobs, reports (JSON and PDF) and the interactive explanation of a few rows.
 * platform-api checks every permission (ADMIN writes; ADMIN and COMPLIANCE read and
 * explain); a refusal is an {@link AdminApiException} with status 403.
 */
@Component
public class ExplainabilityClient {

	private static final ParameterizedTypeReference<Page<ReferenceDataset>> DATASETS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ReferenceDataset> DATASET = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<ExplainabilityJob>> JOBS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ExplainabilityJob> JOB = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<ExplainabilityReport>> REPORTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ExplainabilityReport> REPORT = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

	private final AdminApiTransport transport;

	ExplainabilityClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** The first page of the model's reference datasets. */
	public Page<ReferenceDataset> referenceDatasets(String model) {
		return page(this.transport.get("/api/admin/models/{m}/reference-datasets", DATASETS, model));
	}

	/**
	 * Registers a CSV file (header row first) as a reference dataset of the model. The
	 * body streams from {@code csv} to platform-api, which validates it against the
	 * model's signature (a 400 names the bad row and column).
	 * @param length the file's length in bytes, or -1 when unknown
	 */
	public ReferenceDataset uploadReferenceDataset(String model, String name, InputStream csv, long length) {
		return this.transport.upload("/api/admin/models/{m}/reference-datasets?name={name}", TEXT_CSV, csv, length,
				DATASET, model, name);
	}

	/** Registers a dataset shipped with the worker, such as {@code adult_validation}. */
	public ReferenceDataset importShippedDataset(String model, String dataset) {
		return this.transport.send(HttpMethod.POST, "/api/admin/models/{m}/reference-datasets/shipped",
				Map.of("dataset", dataset), DATASET, model);
	}

	/** Deletes a reference dataset (reports made from it keep its digest). */
	public void deleteReferenceDataset(String model, String id) {
		this.transport.send(HttpMethod.DELETE, "/api/admin/models/{m}/reference-datasets/{id}", null, TREE, model, id);
	}

	/**
	 * Queues a report job for the version; every parameter may be null (platform-api's
	 * default).
	 */
	public ExplainabilityJob startReport(String model, String version, String datasetId, String method, Long seed,
			Long sampleSize) {
		Map<String, Object> body = new LinkedHashMap<>();
		putIfPresent(body, "dataset_id", datasetId);
		putIfPresent(body, "method", method);
		putIfPresent(body, "seed", seed);
		putIfPresent(body, "sample_size", sampleSize);
		return this.transport.send(HttpMethod.POST, "/api/admin/models/{m}/versions/{v}/explainability-reports", body,
				JOB, model, version);
	}

	/** The first page of the version's report jobs. */
	public Page<ExplainabilityJob> jobs(String model, String version) {
		return page(this.transport.get("/api/admin/explainability/jobs?model={m}&version={v}", JOBS, model, version));
	}

	/** Cancels a queued or running job. */
	public ExplainabilityJob cancelJob(String id) {
		return this.transport.send(HttpMethod.POST, "/api/admin/explainability/jobs/{id}/cancel", null, JOB, id);
	}

	/** Queues a failed or cancelled job again, as a new attempt. */
	public ExplainabilityJob retryJob(String id) {
		return this.transport.send(HttpMethod.POST, "/api/admin/explainability/jobs/{id}/retry", null, JOB, id);
	}

	/** The first page of the version's reports, newest first. */
	public Page<ExplainabilityReport> reports(String model, String version) {
		return page(this.transport.get("/api/admin/models/{m}/versions/{v}/explainability-reports", REPORTS, model,
				version));
	}

	/** One report with its content. */
	public ExplainabilityReport report(String id) {
		ExplainabilityReport report = this.transport.get("/api/admin/explainability/reports/{id}", REPORT, id);
		if (report == null) {
			throw new AdminApiException("platform-api sent an empty report.", null);
		}
		return report;
	}

	/** Streams a report's PDF to the reader. */
	public void reportPdf(String id, Download reader) {
		this.transport.download("/api/admin/explainability/reports/{id}/pdf", reader, id);
	}

	/**
	 * Explains rows with the version: {@code {"instances": […], "parameters": {…}}} in,
	 * {@code {"predictions": […], "explanations": […]}} out, as platform-api sends it.
	 */
	public JsonNode explain(String model, String version, Map<String, Object> request) {
		JsonNode answer = this.transport.send(HttpMethod.POST, "/api/admin/models/{m}/versions/{v}/explain", request,
				TREE, model, version);
		if (answer == null || !answer.isObject()) {
			throw new AdminApiException("platform-api sent an explanation the console could not read.", null);
		}
		return answer;
	}

	private static <T> Page<T> page(Page<T> body) {
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

	private static void putIfPresent(Map<String, Object> body, String name, Object value) {
		if (value != null && !(value instanceof String text && text.isBlank())) {
			body.put(name, value);
		}
	}

}
