package dev.warden.platform.tenant;

import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

@RestController
@RequestMapping(path = "/api/admin/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
class TenantController {

	private final TenantManagement tenants;

	private final TenantDataKeys dataKeys;

	TenantController(TenantManagement tenants, TenantDataKeys dataKeys) {
		this.tenants = tenants;
		this.dataKeys = dataKeys;
	}

	/** Creates a tenant (ADMIN). The plan defaults to the default plan of quotas.yaml. */
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Tenant> create(@Valid @RequestBody CreateTenantRequest request, Authentication user) {
		Tenant tenant = this.tenants.create(request.name(), request.plan(), user.getName());
		return ResponseEntity.created(ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").build(tenant.id()))
			.body(tenant);
	}

	/** The live tenants, oldest first, one page at a time. */
	@GetMapping
	Page<Tenant> list(PageRequest page) {
		return this.tenants.list(page);
	}

	@GetMapping("/{id}")
	Tenant get(@PathVariable UUID id) {
		return this.tenants.get(id);
	}

	/** Changes name and/or plan (ADMIN); absent fields stay as they are. */
	@PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
	Tenant update(@PathVariable UUID id, @Valid @RequestBody UpdateTenantRequest request, Authentication user) {
		return this.tenants.update(id, request.name(), request.plan(), user.getName());
	}

	/**
	 * Suspends the tenant (ADMIN): its keys get 403 tenant_suspended until it is
	 * reactivated.
	 */
	@PostMapping("/{id}:suspend")
	Tenant suspend(@PathVariable UUID id, Authentication user) {
		return this.tenants.suspend(id, user.getName());
	}

	@PostMapping("/{id}:reactivate")
	Tenant reactivate(@PathVariable UUID id, Authentication user) {
		return this.tenants.reactivate(id, user.getName());
	}

	/** Deletes the tenant (ADMIN): its keys are revoked, request-log metadata is kept. */
	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void delete(@PathVariable UUID id, Authentication user) {
		this.tenants.delete(id, user.getName());
	}

	/**
	 * Rotates the tenant's data key (ADMIN, audited): a new primary key encrypts new
	 * request-log payloads, older payloads stay readable.
	 */
	@PostMapping("/{id}/data-key:rotate")
	DataKeyInfo rotateDataKey(@PathVariable UUID id, Authentication user) {
		return this.dataKeys.rotate(id, user.getName());
	}

	/**
	 * Key ids and key-encryption key of the tenant's data keyset (never key material).
	 */
	@GetMapping("/{id}/data-key")
	DataKeyInfo dataKey(@PathVariable UUID id) {
		return this.dataKeys.info(id);
	}

	/**
	 * Re-wraps every tenant data keyset with the current key-encryption key (ADMIN,
	 * audited): after the KEK was rotated, or to move from the local key to a KMS key.
	 */
	@PostMapping("/data-keys:rewrap")
	Map<String, Object> rewrapDataKeys(Authentication user) {
		return Map.of("rewrapped", this.dataKeys.rewrapAll(user.getName()));
	}

	record UpdateTenantRequest(
			@Size(min = 1, max = 100) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String name,
			@Pattern(regexp = "[a-z0-9_-]{1,32}",
					message = "must be a plan name such as free, standard or enterprise") String plan) {
	}

	record CreateTenantRequest(@NotBlank @Size(max = 100) String name, @Pattern(regexp = "[a-z0-9_-]{1,32}",
			message = "must be a plan name such as free, standard or enterprise") String plan) {
	}

}
