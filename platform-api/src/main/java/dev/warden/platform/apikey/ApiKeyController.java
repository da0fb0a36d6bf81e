package dev.warden.platform.apikey;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/api/admin/tenants/{tenantId}/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class ApiKeyController {

	private final ApiKeyManagement keys;

	ApiKeyController(ApiKeyManagement keys) {
		this.keys = keys;
	}

	/** Creates an API key (ADMIN). The raw key is in this response only. */
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	CreatedKeyResponse create(@PathVariable UUID tenantId, @Valid @RequestBody CreateKeyRequest request,
			Authentication user) {
		ApiKeyManagement.CreatedApiKey created = this.keys.create(tenantId, request.name(), user.getName());
		ApiKey key = created.key();
		return new CreatedKeyResponse(key.id(), key.prefix(), key.name(), key.createdAt(), created.rawKey());
	}

	@GetMapping
	List<KeyResponse> list(@PathVariable UUID tenantId) {
		return this.keys.list(tenantId)
			.stream()
			.map((key) -> new KeyResponse(key.id(), key.prefix(), key.name(), key.createdAt(), key.lastUsedAt(),
					key.status()))
			.toList();
	}

	record CreateKeyRequest(@NotBlank @Size(max = 100) String name) {
	}

	record CreatedKeyResponse(UUID id, String prefix, String name, Instant createdAt, String key) {
	}

	record KeyResponse(UUID id, String prefix, String name, Instant createdAt, Instant lastUsedAt, String status) {
	}

}
