package dev.warden.platform.model;

import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.model.ModelCatalogue.CatalogueModel;
import dev.warden.platform.system.ApiException;

@RestController
@RequestMapping(path = "/api/admin/models", produces = MediaType.APPLICATION_JSON_VALUE)
class ModelController {

	private final ModelCatalogue catalogue;

	ModelController(ModelCatalogue catalogue) {
		this.catalogue = catalogue;
	}

	@GetMapping
	List<CatalogueModel> list() {
		return this.catalogue.models();
	}

	@GetMapping("/{name}")
	CatalogueModel get(@PathVariable String name) {
		return this.catalogue.model(name).orElseThrow(() -> ApiException.notFound("model " + name));
	}

}
