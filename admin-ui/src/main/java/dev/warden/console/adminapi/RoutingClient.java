package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

/**
 * platform-api's routing admin API of a model, as the signed-in user: the routing, and
 * (ADMIN) setting the canary, promoting it, rolling it back, resetting the routing and
 * adding and removing pins. Every call answers the routing after it. platform-api audits
 * every change, refuses one by a user without the {@code ADMIN} role with 403, and one
 * the promotion policy reserves for an approved promotion request with 409
 * {@code approval_required}.
 */
@Component
public class RoutingClient {

	private static final ParameterizedTypeReference<Routing> ROUTING = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	RoutingClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** The model's routing; an unknown model is a 404. */
	public Routing routing(String model) {
		return routing(this.transport.get("/api/admin/models/{m}/routing", ROUTING, model));
	}

	/** Starts or changes the canary; the stable version stays (or is derived). */
	public Routing setCanary(String model, long version, int weight) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("version", version);
		body.put("weight", weight);
		return routing(this.transport.send(HttpMethod.PUT, "/api/admin/models/{m}/canary", body, ROUTING, model));
	}

	/** Makes the canary the stable version. */
	public Routing promote(String model) {
		return routing(this.transport.send(HttpMethod.POST, "/api/admin/models/{m}:promote", null, ROUTING, model));
	}

	/** Removes the canary: every call goes to the stable version. */
	public Routing rollback(String model) {
		return routing(this.transport.send(HttpMethod.POST, "/api/admin/models/{m}:rollback", null, ROUTING, model));
	}

	/** Forgets stable and canary (pins stay). */
	public Routing reset(String model) {
		return routing(this.transport.send(HttpMethod.DELETE, "/api/admin/models/{m}/routing", null, ROUTING, model));
	}

	/** Pins a tenant or an API key (by id) to a version. */
	public Routing pin(String model, String subjectId, long version) {
		return routing(this.transport.send(HttpMethod.PUT, "/api/admin/models/{m}/pins/{s}", Map.of("version", version),
				ROUTING, model, subjectId));
	}

	/** Removes the pin of a tenant or an API key. */
	public Routing unpin(String model, String subjectId) {
		return routing(this.transport.send(HttpMethod.DELETE, "/api/admin/models/{m}/pins/{s}", null, ROUTING, model,
				subjectId));
	}

	private static Routing routing(Routing routing) {
		if (routing == null) {
			throw new AdminApiException("platform-api sent an empty answer where the routing was expected.", null);
		}
		return routing;
	}

}
