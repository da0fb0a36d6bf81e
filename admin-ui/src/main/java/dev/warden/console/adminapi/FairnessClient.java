package dev.warden.console.adminapi;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * platform-api's fairness admin API, as the signed-in user: fairness checks of a version
 * (jobs of kind {@code fairness} in the report job queue, cancelled and retried through
 * {@link ExplainabilityClient}), fairness reports (JSON and PDF), and the upload of an
 * evaluation dataset. platform-api checks every permission (ADMIN runs checks and
 * uploads; ADMIN and COMPLIANCE read); a refusal is an {@link AdminApiException} with
 * status 403.
 */
@Component
public class FairnessClient {

	private static final ParameterizedTypeReference<Page<ExplainabilityJob>> JOBS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ExplainabilityJob> JOB = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<FairnessReport>> REPORTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<FairnessReport> REPORT = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ReferenceDataset> DATASET = new ParameterizedTypeReference<>() {
	};

	private static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

	private final AdminApiTransport transport;

	FairnessClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * Queues a fairness check of the version. The body holds only the parameters the user
	 * gave ({@code dataset_id}, {@code threshold}, {@code resamples}, {@code seed}, …);
	 * platform-api fills in the rest and answers 202 with the job.
	 */
	public ExplainabilityJob startCheck(String model, String version, Map<String, Object> parameters) {
		return this.transport.send(HttpMethod.POST, "/api/admin/models/{m}/versions/{v}/fairness-checks", parameters,
				JOB, model, version);
	}

	/** The first page of the version's fairness checks, newest first. */
	public Page<ExplainabilityJob> checks(String model, String version) {
		return page(this.transport.get("/api/admin/models/{m}/versions/{v}/fairness-checks", JOBS, model, version));
	}

	/**
	 * The first page of the version's fairness reports (without content), newest first.
	 */
	public Page<FairnessReport> reports(String model, String version) {
		return page(this.transport.get("/api/admin/models/{m}/versions/{v}/fairness-reports", REPORTS, model, version));
	}

	/** One fairness report with its content. */
	public FairnessReport report(String id) {
		FairnessReport report = this.transport.get("/api/admin/fairness/reports/{id}", REPORT, id);
		if (report == null) {
			throw new AdminApiException("platform-api sent an empty fairness report.", null);
		}
		return report;
	}

	/** Streams a fairness report's PDF to the reader. */
	public void reportPdf(String id, Download reader) {
		this.transport.download("/api/admin/fairness/reports/{id}/pdf", reader, id);
	}

	/**
	 * Uploads a CSV file (header row first) as an evaluation dataset of the model: the
	 * reference-dataset upload with the evaluation spec as query parameters. The body
	 * streams from {@code csv} to platform-api, which checks the header, the label and
	 * the banded columns (a 400 names the bad row and column).
	 * @param length the file's length in bytes, or -1 when unknown
	 */
	public ReferenceDataset uploadEvaluationDataset(String model, String name, EvaluationSpec spec, InputStream csv,
			long length) {
		StringBuilder uri = new StringBuilder(
				"/api/admin/models/{m}/reference-datasets?name={name}&label={label}&positive_label={positive}");
		List<Object> variables = new ArrayList<>(List.of(model, name, spec.label(), spec.positiveLabel()));
		int i = 0;
		for (String column : spec.sensitive()) {
			uri.append("&sensitive={s").append(i++).append('}');
			variables.add(column);
		}
		i = 0;
		for (Map.Entry<String, String> reference : spec.references().entrySet()) {
			uri.append("&reference={r").append(i++).append('}');
			variables.add(reference.getKey() + ":" + reference.getValue());
		}
		i = 0;
		for (Map.Entry<String, List<String>> bands : spec.bands().entrySet()) {
			uri.append("&bands={b").append(i++).append('}');
			variables.add(bands.getKey() + ":" + String.join(",", bands.getValue()));
		}
		return this.transport.upload(uri.toString(), TEXT_CSV, csv, length, DATASET, variables.toArray());
	}

	private static <T> Page<T> page(Page<T> body) {
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

}
