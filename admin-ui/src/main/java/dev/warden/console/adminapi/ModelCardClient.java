package dev.warden.console.adminapi;

import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's model card admin API, as the signed-in user: a version's composed card,
 * its edit (a new revision, based on the revision the editor saw), its revision history
 * and its exports. Cards are kept as the JSON platform-api sends (the Model Card
 * Toolkit's sections plus {@code governance} and {@code completeness}); the console's
 * page reads what it knows of them. ADMIN edits; ADMIN and COMPLIANCE read; a refusal is
 * an {@link AdminApiException} with status 403, an edit based on an old revision one with
 * status 409 and code {@code stale_revision}.
 */
@Component
public class ModelCardClient {

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private static final String CARD = "/api/admin/models/{m}/versions/{v}/model-card";

	private final AdminApiTransport transport;

	ModelCardClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** The version's composed card. */
	public JsonNode card(String model, String version) {
		return object(this.transport.get(CARD, TREE, model, version), "model card");
	}

	/**
	 * Stores the edited sections as a new revision: {@code {"model_details": …,
	 * "model_parameters": …, "considerations": …, "revision": <the revision the edit is
	 * based on>, "comment": …}}.
	 * @return the composed card after the edit, as platform-api answers it
	 */
	public JsonNode edit(String model, String version, Map<String, Object> edit) {
		return this.transport.send(HttpMethod.PUT, CARD, edit, TREE, model, version);
	}

	/**
	 * The card's revisions, as platform-api sends them: a list page ({@code {"content":
	 * […]}}) or a plain array.
	 */
	public JsonNode revisions(String model, String version) {
		JsonNode revisions = this.transport.get(CARD + "/revisions", TREE, model, version);
		if (revisions == null || !(revisions.isArray() || revisions.isObject())) {
			throw new AdminApiException("platform-api sent an empty list of revisions.", null);
		}
		return revisions;
	}

	/** One revision of the card, with the sections as they were edited. */
	public JsonNode revision(String model, String version, String revision) {
		return object(this.transport.get(CARD + "/revisions/{n}", TREE, model, version, revision), "revision");
	}

	/**
	 * Streams an export of the card ({@code json}: Model Card Toolkit field names and the
	 * Annex IV mapping; {@code pdf}) to the reader.
	 */
	public void export(String model, String version, String format, Download reader) {
		this.transport.download(CARD + "/export?format={f}", reader, model, version, format);
	}

	private static JsonNode object(JsonNode node, String what) {
		if (node == null || !node.isObject()) {
			throw new AdminApiException("platform-api sent an empty " + what + ".", null);
		}
		return node;
	}

}
