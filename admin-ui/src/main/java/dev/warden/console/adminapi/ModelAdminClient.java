package dev.warden.console.adminapi;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * platform-api's model catalogue admin API, as the signed-in user: the models page by
 * page with their versions and grants, one model, one version, uploading a version (the
 * archive streams through as the multipart field {@code file}, never held in memory) and
 * (ADMIN) replacing a model's grants. platform-api audits every change and refuses one by
 * a user without the {@code ADMIN} role with 403.
 */
@Component
public class ModelAdminClient {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final ParameterizedTypeReference<Page<JsonNode>> PAGE = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ModelGrants> GRANTS = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	ModelAdminClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * One page of the models, by name.
	 * @param page the page number, from 0
	 * @param size the page size
	 */
	public Page<CatalogModel> list(int page, int size) {
		Page<JsonNode> result = this.transport.get("/api/admin/models?page={page}&size={size}", PAGE, page, size);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		List<CatalogModel> models = new ArrayList<>();
		for (JsonNode node : result.content()) {
			models.add(model(node));
		}
		return new Page<>(models, result.page(), result.size(), result.nextPage());
	}

	/** One model with all its versions; an unknown model is a 404. */
	public CatalogModel get(String name) {
		return model(nonEmpty(this.transport.get("/api/admin/models/{m}", TREE, name)));
	}

	/** One version; an unknown model or version is a 404. */
	public CatalogVersion version(String name, String version) {
		return version(nonEmpty(this.transport.get("/api/admin/models/{m}/versions/{v}", TREE, name, version)));
	}

	/**
	 * Uploads a SavedModel archive as the model's next version (creating the model with
	 * its first): the archive streams to platform-api as the multipart field
	 * {@code file}.
	 * @param fileName the file's name as the browser sent it (only shown in
	 * platform-api's request; the format is told by the content)
	 * @param archive the archive's bytes
	 * @param length the archive's length in bytes
	 * @return the new version as platform-api answers it ({@code UPLOADED} at first)
	 */
	public CatalogVersion upload(String name, String fileName, InputStream archive, long length) {
		String boundary = "warden-" + UUID.randomUUID();
		byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
				+ safeFileName(fileName) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
		InputStream body = new SequenceInputStream(Collections
			.enumeration(List.of(new ByteArrayInputStream(head), archive, new ByteArrayInputStream(tail))));
		MediaType multipart = new MediaType(MediaType.MULTIPART_FORM_DATA, Map.of("boundary", boundary));
		JsonNode answer = this.transport.upload("/api/admin/models/{m}/versions", multipart, body,
				head.length + length + tail.length, TREE, name);
		return version(nonEmpty(answer));
	}

	/** The model's grants. */
	public ModelGrants grants(String name) {
		ModelGrants grants = this.transport.get("/api/admin/models/{m}/grants", GRANTS, name);
		if (grants == null) {
			throw new AdminApiException("platform-api sent an empty answer where grants were expected.", null);
		}
		return grants;
	}

	/**
	 * Replaces the model's grants: every tenant, or exactly the listed ones (none when
	 * the list is empty).
	 */
	public ModelGrants replaceGrants(String name, boolean all, List<String> tenantIds) {
		Map<String, Object> body = new LinkedHashMap<>();
		if (all) {
			body.put("all", true);
		}
		else {
			body.put("tenants", List.copyOf(tenantIds));
		}
		ModelGrants grants = this.transport.send(HttpMethod.PUT, "/api/admin/models/{m}/grants", body, GRANTS, name);
		if (grants == null) {
			throw new AdminApiException("platform-api sent an empty answer where grants were expected.", null);
		}
		return grants;
	}

	/**
	 * A file name fit for a multipart header: printable ASCII without quotes or
	 * backslashes, at most 100 characters.
	 */
	static String safeFileName(String fileName) {
		if (fileName == null || fileName.isBlank()) {
			return "model";
		}
		StringBuilder safe = new StringBuilder();
		for (char c : fileName.toCharArray()) {
			if (safe.length() >= 100) {
				break;
			}
			safe.append((c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '_');
		}
		return safe.toString();
	}

	private static JsonNode nonEmpty(JsonNode node) {
		if (node == null || !node.isObject()) {
			throw new AdminApiException("platform-api sent an empty answer where a model was expected.", null);
		}
		return node;
	}

	private static CatalogModel model(JsonNode node) {
		List<CatalogVersion> versions = new ArrayList<>();
		for (JsonNode version : node.path("versions").values()) {
			versions.add(version(version));
		}
		JsonNode grants = node.path("grants");
		return new CatalogModel(node.path("name").asString(""), versions,
				grants.isObject() ? JSON.treeToValue(grants, ModelGrants.class) : null);
	}

	private static CatalogVersion version(JsonNode node) {
		ModelVersion version = JSON.treeToValue(node, ModelVersion.class);
		JsonNode size = node.path("size_bytes");
		return new CatalogVersion(version, text(node.path("sha256")), size.isNumber() ? size.asLong() : null,
				text(node.path("uploaded_by")), text(node.path("uploaded_at")));
	}

	private static String text(JsonNode node) {
		return (node.isMissingNode() || node.isNull()) ? null : node.asString();
	}

}
