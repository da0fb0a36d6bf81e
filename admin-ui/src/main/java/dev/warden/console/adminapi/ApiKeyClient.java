package dev.warden.console.adminapi;

import java.util.HashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's API key admin API, as the signed-in user: a tenant's keys page by page,
 * and (ADMIN) issuing a key with its scopes, expiry and quota override, changing the
 * override and revoking a key. The raw secret of a new key is returned once, in
 * {@link IssuedKey}; platform-api never sends it again.
 */
@Component
public class ApiKeyClient {

	private static final ParameterizedTypeReference<Page<TenantKey>> KEYS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<TenantKey> KEY = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<JsonNode> TREE = new ParameterizedTypeReference<>() {
	};

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final AdminApiTransport transport;

	ApiKeyClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** One page of the tenant's keys, oldest first, revoked and expired ones included. */
	public Page<TenantKey> list(String tenantId, int page, int size) {
		Page<TenantKey> result = this.transport.get("/api/admin/tenants/{id}/keys?page={page}&size={size}", KEYS,
				tenantId, page, size);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return result;
	}

	/**
	 * Issues a key: {@code {"name", "models"?, "operations"?, "expires_at"?, "quota"?}}
	 * as the key API takes it.
	 * @return the key and its raw secret
	 */
	public IssuedKey create(String tenantId, Map<String, Object> request) {
		JsonNode answer = this.transport.send(HttpMethod.POST, "/api/admin/tenants/{id}/keys", request, TREE, tenantId);
		if (answer == null || !answer.isObject() || !answer.path("key").isString()) {
			throw new AdminApiException("platform-api sent no key in its answer.", null);
		}
		TenantKey key = JSON.treeToValue(answer, TenantKey.class);
		return new IssuedKey(key, answer.path("key").asString());
	}

	/**
	 * Sets the key's quota override, or removes it when {@code quota} is null or empty.
	 */
	public TenantKey setQuota(String tenantId, String keyId, Map<String, Object> quota) {
		Map<String, Object> body = new HashMap<>();
		body.put("quota", (quota == null || quota.isEmpty()) ? null : quota);
		return key(this.transport.send(HttpMethod.PATCH, "/api/admin/tenants/{id}/keys/{key}", body, KEY, tenantId,
				keyId));
	}

	/** Revokes the key: from the next call on it is refused with 401. */
	public TenantKey revoke(String tenantId, String keyId) {
		return key(this.transport.send(HttpMethod.POST, "/api/admin/tenants/{id}/keys/{key}:revoke", null, KEY,
				tenantId, keyId));
	}

	private static TenantKey key(TenantKey key) {
		if (key == null) {
			throw new AdminApiException("platform-api sent an empty answer where an API key was expected.", null);
		}
		return key;
	}

}
