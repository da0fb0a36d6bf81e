package dev.warden.platform.explainability;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.system.RequestIds;

/**
 * {@code /api/admin/models/{model}/reference-datasets}: register (CSV upload or shipped
 * dataset, ADMIN), list, read and delete (ADMIN) a model's reference datasets. The CSV
 * upload is the admin API's one body that is not JSON and not held to the 64 KiB body
 * limit: it is streamed, up to {@code warden.explainability.reference-data.max-bytes}.
 */
@RestController
@RequestMapping(path = "/api/admin/models/{model}/reference-datasets", produces = MediaType.APPLICATION_JSON_VALUE)
class ReferenceDatasetController {

	private final ReferenceDatasets datasets;

	ReferenceDatasetController(ReferenceDatasets datasets) {
		this.datasets = datasets;
	}

	/**
	 * Uploads a CSV ({@code Content-Type: text/csv}, header row naming the model's
	 * inputs) as a reference dataset named {@code name}. With {@code label} it is an
	 * evaluation dataset: {@code positive_label} (the label value of a positive outcome),
	 * one {@code sensitive} per sensitive column, optional
	 * {@code reference=<column>:<group>} and {@code bands=<column>:<c1>,<c2>,...}; the
	 * header must then also name the label and the sensitive columns. ({@code sensitive},
	 * {@code reference} and {@code bands} are declared for the API's description and
	 * input rules, and read as the raw values.)
	 */
	@PostMapping
	ResponseEntity<ReferenceDataset> upload(@PathVariable String model,
			@RequestParam(name = "name", required = false) String name,
			@RequestParam(name = "label", required = false) String label,
			@RequestParam(name = "positive_label", required = false) String positiveLabel,
			@RequestParam(name = "sensitive", required = false) List<String> sensitive,
			@RequestParam(name = "reference", required = false) List<String> reference,
			@RequestParam(name = "bands", required = false) List<String> bands, Authentication user,
			HttpServletRequest request) throws IOException {
		MediaType type = mediaType(request.getContentType());
		if (type == null || !(type.isCompatibleWith(MediaType.parseMediaType("text/csv"))
				|| type.isCompatibleWith(MediaType.parseMediaType("application/csv")))) {
			throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
					"upload the CSV as the request body with Content-Type: text/csv (UTF-8); to register a shipped "
							+ "dataset, POST {\"dataset\": \"...\"} to .../reference-datasets/shipped");
		}
		if (type.getCharset() != null && !type.getCharset().name().equals("UTF-8")) {
			throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
					"the CSV must be UTF-8 (charset=" + type.getCharset().name() + " was declared)");
		}
		// the raw values: Spring's conversion to a list splits a single value at its
		// commas, and bands=age:25,60 is one value (a group may hold a comma too)
		EvaluationSpec evaluation = EvaluationSpec.fromQuery(label, positiveLabel, values(request, "sensitive"),
				values(request, "reference"), values(request, "bands"));
		ReferenceDataset dataset = this.datasets.upload(model, name, evaluation, request.getInputStream(),
				request.getContentLengthLong(), user.getName(), RequestIds.of(request));
		return created(dataset);
	}

	/**
	 * Registers a dataset shipped with the worker: {@code {"dataset": "<name>",
	 * "evaluation"?: {...} | null}}; without {@code evaluation}, the dataset's built-in
	 * evaluation spec (if it has one), with {@code null} none.
	 */
	@PostMapping(path = "/shipped", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<ReferenceDataset> shipped(@PathVariable String model,
			@RequestBody(required = false) ShippedRequest body, Authentication user, HttpServletRequest request) {
		if (body == null || body.dataset() == null || body.dataset().isBlank()) {
			throw ApiException.badRequest("validation_failed",
					"dataset: the name of a shipped dataset is required, e.g. {\"dataset\": \"adult_validation\"}");
		}
		ReferenceDataset dataset;
		if (body.evaluation() == null) {
			dataset = this.datasets.importShipped(model, body.dataset(), user.getName(), RequestIds.of(request));
		}
		else {
			EvaluationSpec evaluation = body.evaluation().isNull() ? null
					: EvaluationSpec.fromRequest(body.evaluation(), "evaluation");
			dataset = this.datasets.importShipped(model, body.dataset(), evaluation, user.getName(),
					RequestIds.of(request));
		}
		return ResponseEntity
			.created(ServletUriComponentsBuilder.fromCurrentContextPath()
				.path("/api/admin/models/{model}/reference-datasets/{id}")
				.build(model, dataset.id()))
			.body(dataset);
	}

	@GetMapping
	Page<ReferenceDataset> list(@PathVariable String model, PageRequest page) {
		return this.datasets.list(model, page);
	}

	@GetMapping("/{id}")
	ReferenceDataset get(@PathVariable String model, @PathVariable UUID id) {
		return this.datasets.get(model, id);
	}

	/** Deletes the dataset: its key and rows are destroyed (crypto-shredding). */
	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String model, @PathVariable UUID id, Authentication user) {
		this.datasets.delete(model, id, user.getName());
		return ResponseEntity.noContent().build();
	}

	private static ResponseEntity<ReferenceDataset> created(ReferenceDataset dataset) {
		return ResponseEntity
			.created(ServletUriComponentsBuilder.fromCurrentRequestUri().path("/{id}").build(dataset.id()))
			.body(dataset);
	}

	private static List<String> values(HttpServletRequest request, String parameter) {
		String[] values = request.getParameterValues(parameter);
		return (values != null) ? List.of(values) : List.of();
	}

	private static MediaType mediaType(String header) {
		if (header == null) {
			return null;
		}
		try {
			return MediaType.parseMediaType(header);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	/**
	 * Body of {@code POST .../reference-datasets/shipped}.
	 *
	 * @param dataset the shipped dataset's name
	 * @param evaluation the evaluation spec ({@code {"label", "positive_label",
	 * "sensitive": [{"name", "reference"?, "bands"?}]}}); absent: the dataset's built-in
	 * one; {@code null}: none (a plain reference dataset)
	 */
	record ShippedRequest(String dataset, JsonNode evaluation) {
	}

}
