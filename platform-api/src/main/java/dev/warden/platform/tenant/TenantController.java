package dev.warden.platform.tenant;

import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

@RestController
@RequestMapping(path = "/api/admin/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
class TenantController {

	private final TenantManagement tenants;

	TenantController(TenantManagement tenants) {
		this.tenants = tenants;
	}

	/** Creates a tenant (ADMIN). The plan defaults to the default plan of quotas.yaml. */
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Tenant> create(@Valid @RequestBody CreateTenantRequest request, Authentication user) {
		Tenant tenant = this.tenants.create(request.name(), request.plan(), user.getName());
		return ResponseEntity
			.created(ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").build(tenant.id()))
			.body(tenant);
	}

	@GetMapping
	List<Tenant> list() {
		return this.tenants.list();
	}

	@GetMapping("/{id}")
	Tenant get(@PathVariable UUID id) {
		return this.tenants.get(id);
	}

	record CreateTenantRequest(@NotBlank @Size(max = 100) String name,
			@Pattern(regexp = "[a-z0-9_-]{1,32}", message = "must be a plan name such as free, standard or enterprise") String plan) {
	}

}
