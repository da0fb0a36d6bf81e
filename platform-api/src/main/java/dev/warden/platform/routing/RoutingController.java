package dev.warden.platform.routing;

import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.routing.ModelRouting.Routing;
import dev.warden.platform.system.ApiException;

/**
 * Canary, pins and rollback of a model (writes need role ADMIN, enforced by the admin
 * API's security chain; every write is audited by {@link ModelRouting} with before and
 * after):
 * <ul>
 * <li>{@code GET /api/admin/models/{m}/routing}: stable version, canary, pins;</li>
 * <li>{@code PUT /api/admin/models/{m}/canary {"version": N, "weight": 1..100, "stable":
 * S?}};</li>
 * <li>{@code POST /api/admin/models/{m}:rollback}: the canary stops, all traffic to the
 * stable version;</li>
 * <li>{@code POST /api/admin/models/{m}:promote}: the canary becomes the stable
 * version;</li>
 * <li>{@code DELETE /api/admin/models/{m}/routing}: stable and canary forgotten (the
 * worker's latest answers);</li>
 * <li>{@code PUT|DELETE /api/admin/models/{m}/pins/{tenant or API key id}}
 * ({@code {"version": N}}).</li>
 * </ul>
 */
@RestController
@RequestMapping(path = "/api/admin/models", produces = MediaType.APPLICATION_JSON_VALUE)
class RoutingController {

	private final ModelRouting routing;

	RoutingController(ModelRouting routing) {
		this.routing = routing;
	}

	@GetMapping("/{name}/routing")
	Routing routing(@PathVariable String name) {
		return this.routing.routing(name);
	}

	@DeleteMapping("/{name}/routing")
	Routing reset(@PathVariable String name, Authentication user) {
		return this.routing.reset(name, user.getName());
	}

	@PutMapping(path = "/{name}/canary", consumes = MediaType.APPLICATION_JSON_VALUE)
	Routing canary(@PathVariable String name, @RequestBody(required = false) CanaryRequest body, Authentication user) {
		if (body == null || body.version() == null || body.weight() == null) {
			throw ApiException.badRequest("invalid_canary",
					"send {\"version\": <canary version>, \"weight\": <1..100>} (optionally \"stable\": <version>)");
		}
		return this.routing.setCanary(name, body.version(), body.weight(), body.stable(), user.getName());
	}

	/** {@code POST /api/admin/models/{m}:rollback} and {@code :promote}. */
	@PostMapping("/{target}")
	ResponseEntity<Routing> verb(@PathVariable String target, Authentication user) {
		int colon = target.lastIndexOf(':');
		if (colon <= 0) {
			throw ApiException.notFound("endpoint POST /api/admin/models/" + target);
		}
		String model = target.substring(0, colon);
		return switch (target.substring(colon + 1)) {
			case "rollback" -> ResponseEntity.ok(this.routing.rollback(model, user.getName()));
			case "promote" -> ResponseEntity.ok(this.routing.promote(model, user.getName()));
			default -> throw ApiException
				.notFound("endpoint POST /api/admin/models/" + target + " (the verbs are :rollback and :promote)");
		};
	}

	@PutMapping(path = "/{name}/pins/{subject}", consumes = MediaType.APPLICATION_JSON_VALUE)
	Routing pin(@PathVariable String name, @PathVariable String subject, @RequestBody(required = false) PinRequest body,
			Authentication user) {
		if (body == null || body.version() == null) {
			throw ApiException.badRequest("invalid_pin", "send {\"version\": <version>}");
		}
		return this.routing.pin(name, uuid(subject), body.version(), user.getName());
	}

	@DeleteMapping("/{name}/pins/{subject}")
	Routing unpin(@PathVariable String name, @PathVariable String subject, Authentication user) {
		return this.routing.unpin(name, uuid(subject), user.getName());
	}

	private static UUID uuid(String subject) {
		try {
			return UUID.fromString(subject);
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("invalid_pin", "'" + subject + "' is not a tenant or API key id (a UUID)");
		}
	}

	/** Body of {@code PUT /api/admin/models/{m}/canary}. */
	record CanaryRequest(Long version, Integer weight, Long stable) {
	}

	/** Body of {@code PUT /api/admin/models/{m}/pins/{id}}. */
	record PinRequest(Long version) {
	}

}
