package dev.warden.platform.routing;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.routing.VersionHolds.Hold;
import dev.warden.platform.system.ApiException;

/**
 * Holds of model versions (writes need role ADMIN, enforced by the admin API's security
 * chain; audited by {@link VersionHolds}):
 * <ul>
 * <li>{@code GET /api/admin/models/{m}/holds}: the holds on the model;</li>
 * <li>{@code POST /api/admin/models/{m}/versions/{v}/holds {"holder": "evaluation-42",
 * "reason": "..."}}: keeps the version loaded on every worker (201);</li>
 * <li>{@code DELETE /api/admin/models/{m}/versions/{v}/holds/{holder}}: releases it
 * (204).</li>
 * </ul>
 */
@RestController
@RequestMapping(path = "/api/admin/models", produces = MediaType.APPLICATION_JSON_VALUE)
class HoldController {

	private final VersionHolds holds;

	HoldController(VersionHolds holds) {
		this.holds = holds;
	}

	@GetMapping("/{name}/holds")
	List<Hold> holds(@PathVariable String name) {
		return this.holds.holds(name);
	}

	@PostMapping(path = "/{name}/versions/{version}/holds", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Hold> hold(@PathVariable String name, @PathVariable long version,
			@RequestBody(required = false) HoldRequest body, Authentication user) {
		if (body == null || body.holder() == null) {
			throw ApiException.badRequest("invalid_hold",
					"send {\"holder\": \"<who holds it, e.g. evaluation-42>\"} (optionally \"reason\": \"...\")");
		}
		return ResponseEntity.status(HttpStatus.CREATED)
			.body(this.holds.hold(name, version, body.holder(), body.reason(), user.getName()));
	}

	@DeleteMapping("/{name}/versions/{version}/holds/{holder}")
	ResponseEntity<Void> release(@PathVariable String name, @PathVariable long version, @PathVariable String holder,
			Authentication user) {
		VersionHolds.requireValidHolder(holder);
		this.holds.release(name, version, holder, user.getName());
		return ResponseEntity.noContent().build();
	}

	/** Body of {@code POST /api/admin/models/{m}/versions/{v}/holds}. */
	record HoldRequest(String holder, String reason) {
	}

}
