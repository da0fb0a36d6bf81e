package dev.warden.platform.modelcard;

import java.nio.charset.StandardCharsets;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * A version's model card: read it (ADMIN, COMPLIANCE), edit it as a new revision (ADMIN),
 * list and read its revisions, export it as JSON or PDF. The roles are the admin chain's:
 * reads for both, every other method for ADMIN ({@code SecurityConfiguration}).
 */
@RestController
@Tag(name = "Model cards",
		description = "One card per model version with the Model Card Toolkit's sections; the edited sections are "
				+ "revisions, the quantitative analysis comes from the version's reports; JSON and PDF exports "
				+ "with the EU AI Act Annex IV mapping. docs/governance.md#model-cards")
class ModelCardController {

	private static final String CARD = "/api/admin/models/{model}/versions/{version}/model-card";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ModelCards cards;

	ModelCardController(ModelCards cards) {
		this.cards = cards;
	}

	@GetMapping(path = CARD, produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The version's model card",
			description = "The latest revision's sections, the fields the platform fills in, the quantitative "
					+ "analysis from the latest fairness and explainability reports, governance, overrides and "
					+ "completeness. Creates the card (revision 1 by system) the first time it is read. "
					+ "404 unknown model or version.")
	@ApiResponse(responseCode = "200", description = "the card (fields: docs/governance.md#model-cards)",
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "object")))
	ObjectNode card(@PathVariable String model, @PathVariable long version) {
		return this.cards.card(model, version);
	}

	@PutMapping(path = CARD, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Edit the card as a new revision (ADMIN)",
			description = "Body: {\"revision\": the revision the edit is based on, \"comment\": why, "
					+ "\"model_details\", \"model_parameters\", \"considerations\"} (the whole of each section; a "
					+ "section left out is written empty). Answers the composed card. 400 invalid_model_card "
					+ "naming the field; 404 unknown version; 409 stale_revision when the card changed since.")
	@ApiResponse(responseCode = "200", description = "the card at its new revision",
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "object")))
	ObjectNode edit(@PathVariable String model, @PathVariable long version,
			@io.swagger.v3.oas.annotations.parameters.RequestBody(
					content = @Content(schema = @Schema(type = "object"))) @RequestBody(required = false) JsonNode body,
			Authentication user) {
		return this.cards.edit(model, version, body, user.getName());
	}

	@GetMapping(path = CARD + "/revisions", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The card's revisions, newest first (without content)")
	Page<ModelCardRevision> revisions(@PathVariable String model, @PathVariable long version, PageRequest page) {
		return this.cards.revisions(model, version, page);
	}

	@GetMapping(path = CARD + "/revisions/{revision}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "One revision of the card, with the sections as they were written")
	ModelCardRevision revision(@PathVariable String model, @PathVariable long version, @PathVariable int revision) {
		return this.cards.revision(model, version, revision);
	}

	@GetMapping(path = CARD + "/export")
	@Operation(summary = "The card as a file: format=json (Model Card Toolkit field names, Annex IV mapping) or "
			+ "format=pdf", description = "400 invalid_parameter for another format.")
	ResponseEntity<byte[]> export(@PathVariable String model, @PathVariable long version,
			@RequestParam(name = "format", defaultValue = "json") String format) {
		String file = "model-card-" + safe(model) + "-" + version;
		return switch (format) {
			case "json" -> ResponseEntity.ok()
				.contentType(MediaType.APPLICATION_JSON)
				.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + ".json\"")
				.body(JSON.writerWithDefaultPrettyPrinter()
					.writeValueAsString(this.cards.export(model, version))
					.getBytes(StandardCharsets.UTF_8));
			case "pdf" -> ResponseEntity.ok()
				.contentType(MediaType.APPLICATION_PDF)
				.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + ".pdf\"")
				.body(this.cards.pdf(model, version));
			default -> throw ApiException.badRequest("invalid_parameter", "format must be json or pdf");
		};
	}

	/** The model's name as a file name: letters, digits, '.', '_' and '-' only. */
	private static String safe(String model) {
		return model.replaceAll("[^A-Za-z0-9._-]", "_");
	}

}
