package dev.warden.console.models;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.AdminApiException;
import dev.warden.console.adminapi.CatalogModel;
import dev.warden.console.adminapi.CatalogVersion;
import dev.warden.console.adminapi.ModelAdminClient;
import dev.warden.console.adminapi.Page;
import dev.warden.console.adminapi.Routing;
import dev.warden.console.adminapi.RoutingClient;
import dev.warden.console.adminapi.TenantClient;
import dev.warden.console.system.Message;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.ModelMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.server.ResponseStatusException;

/**
 * The model list and the model page, the uploads of a version, and the live status of a
 * version. Changes of grants and routing go through {@link ModelChangesController}.
 */
@Controller
class ModelsController {

	static final String LIST_VIEW = "models/models";

	static final int PAGE_SIZE = 20;

	/** platform-api's error codes that concern the model name of an upload. */
	private static final Set<String> NAME_CODES = Set.of("invalid_model_name");

	private final ModelAdminClient models;

	private final RoutingClient routing;

	private final TenantClient tenants;

	ModelsController(ModelAdminClient models, RoutingClient routing, TenantClient tenants) {
		this.models = models;
		this.routing = routing;
		this.tenants = tenants;
	}

	@GetMapping("/models")
	String list(@RequestParam(name = "page", defaultValue = "0") int number, Authentication user, ModelMap page) {
		loadList(number, user, page);
		page.addAttribute("uploadForm", new UploadForm("", false));
		return LIST_VIEW;
	}

	/** Uploads the first version of a new model (or the next version of a known one). */
	@PostMapping("/models")
	String uploadNew(@RequestParam(name = "name", defaultValue = "") String name,
			@RequestParam(name = "file", required = false) MultipartFile file,
			@RequestParam(name = "confirm", defaultValue = "false") boolean confirmed, Authentication user,
			HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		String model = name.trim();
		Map<String, String> errors = new LinkedHashMap<>();
		if (model.isEmpty()) {
			errors.put("name", "Enter the model's name.");
		}
		CatalogVersion uploaded = errors.isEmpty() ? upload(model, file, confirmed, errors) : null;
		if (uploaded != null) {
			return uploadedRedirect(model, uploaded, flash);
		}
		response.setStatus(statusOf(errors));
		page.addAttribute("uploadForm", new UploadForm(name, confirmed));
		page.addAttribute("uploadErrors", errors);
		loadList(0, user, page);
		return LIST_VIEW;
	}

	@GetMapping("/models/{name}")
	String model(@PathVariable String name, @RequestParam(name = "uploaded", required = false) String uploaded,
			Authentication user, ModelMap page) {
		ModelPage.load(this.models, this.routing, this.tenants, name, user, page);
		page.addAttribute("uploaded", uploaded);
		return ModelPage.VIEW;
	}

	/** Uploads the next version of the model. */
	@PostMapping("/models/{name}/versions")
	String uploadVersion(@PathVariable String name, @RequestParam(name = "file", required = false) MultipartFile file,
			@RequestParam(name = "confirm", defaultValue = "false") boolean confirmed, Authentication user,
			HttpServletResponse response, ModelMap page, RedirectAttributes flash) {
		Map<String, String> errors = new LinkedHashMap<>();
		CatalogVersion uploaded = upload(name, file, confirmed, errors);
		if (uploaded != null) {
			return uploadedRedirect(name, uploaded, flash);
		}
		response.setStatus(statusOf(errors));
		ModelPage.load(this.models, this.routing, this.tenants, name, user, page);
		page.addAttribute("uploadErrors", errors);
		page.addAttribute("uploadConfirmed", confirmed);
		return ModelPage.VIEW;
	}

	/**
	 * The state of one version on its own, for the page to follow a version the worker is
	 * still validating or loading: the fragment asks again every two seconds until the
	 * state is settled.
	 */
	@GetMapping("/models/{name}/versions/{version}/status")
	String status(@PathVariable String name, @PathVariable String version, ModelMap page) {
		page.addAttribute("modelName", name);
		try {
			page.addAttribute("v", this.models.version(name, version));
		}
		catch (AdminApiException ex) {
			if (ex.status() == 404 || ex.status() == 400) {
				throw new ResponseStatusException(HttpStatus.NOT_FOUND);
			}
			page.addAttribute("statusError", ex.getMessage());
			page.addAttribute("versionNumber", version);
		}
		return "models/status :: status";
	}

	private CatalogVersion upload(String model, MultipartFile file, boolean confirmed, Map<String, String> errors) {
		if (file == null || file.isEmpty()) {
			errors.put("file", "Choose a SavedModel archive (.zip or .tar.gz) that is not empty.");
			return null;
		}
		if (!confirmed) {
			errors.put("confirm", "Tick the box to confirm the upload: nothing was uploaded.");
			return null;
		}
		try (InputStream archive = file.getInputStream()) {
			return this.models.upload(model, file.getOriginalFilename(), archive, file.getSize());
		}
		catch (AdminApiException ex) {
			String field = (ex.code() != null && NAME_CODES.contains(ex.code())) ? "name"
					: (ex.isClientError() && ex.status() != 403 && ex.status() != 401) ? "file" : "form";
			errors.put(field, "Nothing was uploaded: " + ex.getMessage());
			errors.put("status", String.valueOf(ex.isClientError() ? ex.status() : HttpStatus.BAD_GATEWAY.value()));
			return null;
		}
		catch (IOException ex) {
			errors.put("file", "The file could not be read; nothing was uploaded.");
			return null;
		}
	}

	private static int statusOf(Map<String, String> errors) {
		String status = errors.remove("status");
		return (status != null) ? Integer.parseInt(status) : HttpStatus.BAD_REQUEST.value();
	}

	private static String uploadedRedirect(String model, CatalogVersion uploaded, RedirectAttributes flash) {
		StringBuilder text = new StringBuilder(
				"Version " + uploaded.number() + " of " + model + " was uploaded and validated by a worker");
		if (uploaded.sha256() != null) {
			text.append(" (SHA-256 ").append(uploaded.sha256()).append(')');
		}
		text.append(". Its state on the workers follows below.");
		flash.addFlashAttribute("uploadMessage", Message.ok(text.toString()));
		flash.addAttribute("name", model);
		flash.addAttribute("uploaded", uploaded.number());
		return "redirect:/models/{name}";
	}

	private void loadList(int number, Authentication user, ModelMap page) {
		int current = Math.max(0, number);
		page.addAttribute("page", current);
		page.addAttribute("canManage", ModelPage.isAdmin(user));
		try {
			Page<CatalogModel> listed = this.models.list(current, PAGE_SIZE);
			page.addAttribute("rows", listed.content().stream().map(this::row).toList());
			page.addAttribute("nextPage", listed.nextPage());
			page.addAttribute("previousPage", (current > 0) ? current - 1 : null);
		}
		catch (AdminApiException ex) {
			page.addAttribute("modelsError", ex.getMessage());
		}
	}

	private ModelRow row(CatalogModel model) {
		try {
			return new ModelRow(model, this.routing.routing(model.name()), null);
		}
		catch (AdminApiException ex) {
			return new ModelRow(model, null, ex.getMessage());
		}
	}

	/**
	 * The upload form as typed.
	 *
	 * @param name the model's name
	 * @param confirmed whether the confirmation box was ticked
	 */
	record UploadForm(String name, boolean confirmed) {
	}

	/**
	 * A line of the model list.
	 *
	 * @param model the model
	 * @param routing its routing, or null when it could not be read
	 * @param routingError why not, or null
	 */
	record ModelRow(CatalogModel model, Routing routing, String routingError) {

		/** The versions by state: {@code 2 AVAILABLE, 1 END}. */
		public String states() {
			Map<String, Integer> counts = new LinkedHashMap<>();
			model.versions().forEach((v) -> counts.merge(String.valueOf(v.version().state()), 1, Integer::sum));
			return counts.entrySet()
				.stream()
				.map((e) -> e.getValue() + " " + e.getKey())
				.reduce((a, b) -> a + ", " + b)
				.orElse("no versions");
		}

		/** Who may call the model, in words. */
		public String grants() {
			if (model.grants() == null) {
				return "unknown";
			}
			if (model.grants().all()) {
				return "all tenants";
			}
			int count = model.grants().tenants().size();
			return (count == 0) ? "no tenant" : (count == 1) ? "1 tenant" : count + " tenants";
		}

		public List<CatalogVersion> versions() {
			return model.versions();
		}

	}

}
