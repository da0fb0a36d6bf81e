package dev.warden.platform.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.quota.QuotaOverride;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

@RestController
@RequestMapping(path = "/api/admin/tenants/{tenantId}/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class ApiKeyController {

	private final ApiKeyManagement keys;

	ApiKeyController(ApiKeyManagement keys) {
		this.keys = keys;
	}

	/**
	 * Creates an API key (ADMIN). {@code models} omitted = every model granted to the
	 * tenant; {@code operations} omitted = all of predict, explain, metadata, feedback;
	 * {@code expires_at} omitted = never. The raw key is in this response only.
	 */
	@PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	CreatedKeyResponse create(@PathVariable UUID tenantId, @Valid @RequestBody CreateKeyRequest request,
			Authentication user) {
		KeyScopes scopes = new KeyScopes(request.models(),
				(request.operations() != null) ? request.operations() : KeyScopes.OPERATIONS);
		ApiKeyManagement.CreatedApiKey created = this.keys.create(tenantId, request.name(), scopes, request.expiresAt(),
				(request.quota() != null) ? request.quota() : QuotaOverride.NONE, user.getName());
		ApiKey key = created.key();
		return new CreatedKeyResponse(key.id(), key.prefix(), key.name(), key.createdAt(), key.expiresAt(),
				key.status(), key.scopes().models(), key.scopes().operations(), quotaOf(key), created.rawKey());
	}

	/**
	 * Changes a key (ADMIN): {@code quota} replaces its quota override ({@code null} or
	 * {@code {}} removes it, the plan applies; absent = unchanged). The override must be
	 * stricter than the tenant's plan; 400 names the field that is not.
	 */
	@PatchMapping(path = "/{keyId}", consumes = MediaType.APPLICATION_JSON_VALUE)
	KeyResponse update(@PathVariable UUID tenantId, @PathVariable UUID keyId, @RequestBody UpdateKeyRequest request,
			Authentication user) {
		if (!request.quotaPresent) {
			return KeyResponse.of(this.keys.get(tenantId, keyId));
		}
		return KeyResponse.of(this.keys.updateQuota(tenantId, keyId,
				(request.quota != null) ? request.quota : QuotaOverride.NONE, user.getName()));
	}

	/**
	 * The tenant's keys (revoked and expired ones included), oldest first, one page at a
	 * time.
	 */
	@GetMapping
	Page<KeyResponse> list(@PathVariable UUID tenantId, PageRequest page) {
		Page<ApiKey> keys = this.keys.list(tenantId, page);
		return new Page<>(keys.content().stream().map(KeyResponse::of).toList(), keys.page(), keys.size(),
				keys.nextPage());
	}

	/**
	 * Revokes the key (ADMIN); refused from the next request on this replica, on every
	 * replica within 1 s.
	 */
	@DeleteMapping("/{keyId}")
	KeyResponse revoke(@PathVariable UUID tenantId, @PathVariable UUID keyId, Authentication user) {
		return KeyResponse.of(this.keys.revoke(tenantId, keyId, user.getName()));
	}

	/** Same as {@code DELETE}, for clients that prefer a verb. */
	@PostMapping("/{keyId}:revoke")
	KeyResponse revokeVerb(@PathVariable UUID tenantId, @PathVariable UUID keyId, Authentication user) {
		return revoke(tenantId, keyId, user);
	}

	/**
	 * The override's fields, or {@code null} when the key has none (the plan applies).
	 */
	private static Map<String, Long> quotaOf(ApiKey key) {
		return key.quota().isEmpty() ? null : key.quota().fields();
	}

	record CreateKeyRequest(@NotBlank @Size(max = 100) String name, @Size(max = 100) List<String> models,
			@Size(max = 3) List<String> operations, Instant expiresAt, QuotaOverride quota) {
	}

	/**
	 * Tells an absent {@code quota} (unchanged) from an explicit {@code null} (removed).
	 */
	static final class UpdateKeyRequest {

		private boolean quotaPresent;

		private QuotaOverride quota;

		@JsonProperty("quota")
		void setQuota(QuotaOverride quota) {
			this.quota = quota;
			this.quotaPresent = true;
		}

	}

	record CreatedKeyResponse(UUID id, String prefix, String name, Instant createdAt, Instant expiresAt, String status,
			List<String> models, List<String> operations, Map<String, Long> quota, String key) {
	}

	/**
	 * {@code models == null} means every model granted to the tenant;
	 * {@code quota == null} means no override. {@code lastUsedAt} is written in batches
	 * every few seconds.
	 */
	record KeyResponse(UUID id, String prefix, String name, Instant createdAt, Instant expiresAt, Instant lastUsedAt,
			String status, List<String> models, List<String> operations, Map<String, Long> quota) {

		static KeyResponse of(ApiKey key) {
			return new KeyResponse(key.id(), key.prefix(), key.name(), key.createdAt(), key.expiresAt(),
					key.lastUsedAt(), key.status(), key.scopes().models(), key.scopes().operations(), quotaOf(key));
		}

	}

}
