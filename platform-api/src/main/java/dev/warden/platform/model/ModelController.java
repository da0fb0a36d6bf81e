package dev.warden.platform.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.model.ModelCatalogue.CatalogueModel;
import dev.warden.platform.model.ModelCatalogue.CatalogueVersion;
import dev.warden.platform.model.ModelManagement.UploadedVersion;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.system.RequestIds;

@RestController
@RequestMapping(path = "/api/admin/models", produces = MediaType.APPLICATION_JSON_VALUE)
class ModelController {

	/**
	 * Most tenants one model may be granted to by list; beyond that, grant it to all.
	 * Bounds the grants that every model listing carries.
	 */
	static final int MAX_GRANTED_TENANTS = 1000;

	private final ModelCatalogue catalogue;

	private final ModelManagement models;

	private final ModelGrants grants;

	ModelController(ModelCatalogue catalogue, ModelManagement models, ModelGrants grants) {
		this.catalogue = catalogue;
		this.models = models;
		this.grants = grants;
	}

	@GetMapping("/{name}/grants")
	ModelGrants.Grant grants(@PathVariable String name) {
		return this.grants.grants(name);
	}

	/**
	 * Replaces the grants of a model (ADMIN): {@code {"all": true}} or {@code {"tenants":
	 * ["<uuid>", ...]}} ({@code []} = no tenant). Audited as {@code model.grants_changed}
	 * with before and after.
	 */
	@PutMapping(path = "/{name}/grants", consumes = MediaType.APPLICATION_JSON_VALUE)
	ModelGrants.Grant replaceGrants(@PathVariable String name, @Valid @RequestBody(required = false) GrantRequest body,
			Authentication user) {
		if (body == null || (body.all() == null && body.tenants() == null)) {
			throw ApiException.badRequest("invalid_grants",
					"send {\"all\": true} or {\"tenants\": [\"<tenant id>\", ...]}");
		}
		boolean all = Boolean.TRUE.equals(body.all());
		if (all && body.tenants() != null) {
			throw ApiException.badRequest("invalid_grants", "send either \"all\": true or \"tenants\", not both");
		}
		if (!all && body.tenants() == null) {
			throw ApiException.badRequest("invalid_grants",
					"\"all\": false needs \"tenants\" (the list of tenant ids; [] grants the model to no tenant)");
		}
		Set<UUID> tenants = new LinkedHashSet<>();
		if (!all) {
			for (String id : body.tenants()) {
				try {
					tenants.add(UUID.fromString((id != null) ? id : ""));
				}
				catch (IllegalArgumentException ex) {
					throw ApiException.badRequest("invalid_grants", "tenant id '" + id + "' is not a UUID");
				}
			}
		}
		return this.grants.replace(name, all, tenants, user.getName());
	}

	/**
	 * Body of {@code PUT /api/admin/models/{name}/grants}; at most
	 * {@link #MAX_GRANTED_TENANTS} tenants.
	 */
	record GrantRequest(Boolean all, @Size(max = MAX_GRANTED_TENANTS) List<String> tenants) {
	}

	/** The models by name, each with its versions, one page at a time. */
	@GetMapping
	Page<CatalogueModel> list(PageRequest page) {
		return this.catalogue.models(page);
	}

	@GetMapping("/{name}")
	CatalogueModel get(@PathVariable String name) {
		return this.catalogue.model(name).orElseThrow(() -> ApiException.notFound("model " + name));
	}

	/** The model's versions, oldest first, one page at a time. */
	@GetMapping("/{name}/versions")
	Page<CatalogueVersion> versions(@PathVariable String name, PageRequest page) {
		return Page.slice(get(name).versions(), page);
	}

	@GetMapping("/{name}/versions/{version}")
	CatalogueVersion version(@PathVariable String name, @PathVariable long version) {
		return this.catalogue.version(name, version)
			.orElseThrow(() -> ApiException.notFound("version " + version + " of model " + name));
	}

	/**
	 * Uploads a new version (ADMIN): multipart field {@code file} holding a SavedModel as
	 * {@code .zip} or {@code .tar.gz}. The platform numbers the version; see
	 * {@link ModelManagement#upload}.
	 */
	@PostMapping(path = "/{name}/versions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	ResponseEntity<UploadedVersion> upload(@PathVariable String name,
			@RequestPart(name = "file", required = false) MultipartFile file, Authentication user,
			HttpServletRequest request) {
		ModelManagement.requireValidName(name);
		if (file == null) {
			throw ApiException.badRequest("missing_file",
					"multipart field 'file' is required (a SavedModel as .zip or .tar.gz)");
		}
		UploadedVersion uploaded = this.models.upload(name, file, user.getName(), RequestIds.of(request));
		return ResponseEntity
			.created(ServletUriComponentsBuilder.fromCurrentRequest().path("/{version}").build(uploaded.version()))
			.body(uploaded);
	}

}
