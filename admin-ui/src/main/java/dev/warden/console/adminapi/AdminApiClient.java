package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * Reads platform-api's admin API as the signed-in user: every call carries that user's
 * access token, obtained (and refreshed) through the OAuth2 client. Must be called on a
 * request thread of a signed-in console user. Failures are reported as
 * {@link AdminApiException} with a message fit for the page; a missing or expired sign-in
 * is left to the OAuth2 client, which sends the user through the sign-in flow again.
 */
@Component
public class AdminApiClient {

	private static final ParameterizedTypeReference<Page<Tenant>> TENANTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<ApiKey>> KEYS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<Model>> MODELS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<AuditEvent>> AUDIT_EVENTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<Alert>> ALERTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<AuditVerification> AUDIT_VERIFICATION = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<ModelVersion> MODEL_VERSION = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	AdminApiClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/**
	 * The first page of the tenants, oldest first. Every list is paged by the admin API;
	 * the console asks for the first page at the API's default size (so it works whatever
	 * {@code warden.admin-api.page.max-size} is) and says when there is more.
	 */
	public Page<Tenant> tenants() {
		return page("/api/admin/tenants", TENANTS);
	}

	/** The first page of a tenant's keys, oldest first. */
	public Page<ApiKey> keys(String tenantId) {
		return page("/api/admin/tenants/{id}/keys", KEYS, tenantId);
	}

	/** The first page of the models, by name. */
	public Page<Model> models() {
		return page("/api/admin/models", MODELS);
	}

	/** The first page of the audit events, newest first. */
	public Page<AuditEvent> auditEvents() {
		return page("/api/admin/audit-events", AUDIT_EVENTS);
	}

	/**
	 * One page of the audit events the filters select, newest first.
	 * @param filters the admin API's filter parameters ({@code action}, {@code actor},
	 * {@code target_type}, {@code target_id}, {@code from}, {@code to}) that are set, as
	 * typed: platform-api checks them
	 */
	public Page<AuditEvent> auditEvents(Map<String, String> filters, int page, int size) {
		StringBuilder path = new StringBuilder("/api/admin/audit-events?");
		List<Object> values = new ArrayList<>();
		filters.forEach((name, value) -> {
			path.append(name).append("={").append(name).append("}&");
			values.add(value);
		});
		path.append("page={page}&size={size}");
		values.add(page);
		values.add(size);
		return page(path.toString(), AUDIT_EVENTS, values.toArray());
	}

	/** The first page of the open alerts, newest opened first. */
	public Page<Alert> openAlerts() {
		return page("/api/admin/monitoring/alerts?state=open", ALERTS);
	}

	/**
	 * Verifies the audit trail's hash chain and digests (platform-api walks the whole
	 * chain).
	 */
	public AuditVerification verifyAudit() {
		AuditVerification result = this.transport.get("/api/admin/audit/verify", AUDIT_VERIFICATION);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty verification result.", null);
		}
		return result;
	}

	/**
	 * One version of a model, with its signatures; an unknown model or version is an
	 * {@link AdminApiException} with status 404.
	 */
	public ModelVersion modelVersion(String model, String version) {
		ModelVersion result = this.transport.get("/api/admin/models/{m}/versions/{v}", MODEL_VERSION, model, version);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty model version.", null);
		}
		return result;
	}

	private <T> Page<T> page(String path, ParameterizedTypeReference<Page<T>> type, Object... variables) {
		Page<T> body = this.transport.get(path, type, variables);
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

}
