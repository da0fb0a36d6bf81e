package dev.warden.platform.promotion;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import dev.warden.platform.system.MultilineText;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.system.RequestIds;

/**
 * Promotion requests (writes need role ADMIN, enforced by the admin API's security chain;
 * COMPLIANCE may read; every write is audited by {@link Promotions}):
 * <ul>
 * <li>{@code POST /api/admin/models/{m}/versions/{v}/promotion-requests {"target":
 * "stable" | "canary", "canary_weight": 1..100, "comment": "...", "overrides": [{"rule":
 * "...", "justification": "..."}]}}: 201 pending, or 409 {@code promotion_refused} with
 * the failed rules (stored as refused);</li>
 * <li>{@code POST /api/admin/promotion-requests/{id}/approve {"comment": "..."}}: by
 * another administrator; the last approval applies the change;</li>
 * <li>{@code POST /api/admin/promotion-requests/{id}/reject {"comment": "..."}} (comment
 * required), {@code POST /api/admin/promotion-requests/{id}/withdraw} (the
 * requester);</li>
 * <li>{@code GET /api/admin/promotion-requests?model=&state=} (paged, newest first),
 * {@code GET /api/admin/promotion-requests/{id}};</li>
 * <li>{@code GET /api/admin/models/{m}/versions/{v}/promotion-evaluation}: the rules for
 * the version now, nothing stored;</li>
 * <li>{@code GET /api/admin/promotion-policy}: the policy in force and its SHA-256.</li>
 * </ul>
 */
@RestController
class PromotionController {

	private final Promotions promotions;

	PromotionController(Promotions promotions) {
		this.promotions = promotions;
	}

	/**
	 * Requests the promotion of a version: the rules are evaluated now; 201 with the
	 * pending request, or 409 {@code promotion_refused} naming every failed rule.
	 */
	@PostMapping(path = "/api/admin/models/{model}/versions/{version}/promotion-requests",
			consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<PromotionRequest> request(@PathVariable String model, @PathVariable long version,
			@RequestBody(required = false) Promotions.NewRequest body, Authentication user) {
		PromotionRequest created = this.promotions.request(model, version, body, user.getName());
		return ResponseEntity.status(HttpStatus.CREATED)
			.location(ServletUriComponentsBuilder.fromCurrentContextPath()
				.path("/api/admin/promotion-requests/{id}")
				.build(created.id()))
			.body(created);
	}

	/** What the rules say about the version now (a dry run; nothing is stored). */
	@GetMapping(path = "/api/admin/models/{model}/versions/{version}/promotion-evaluation",
			produces = MediaType.APPLICATION_JSON_VALUE)
	Promotions.Evaluation evaluation(@PathVariable String model, @PathVariable long version) {
		return this.promotions.evaluate(model, version);
	}

	@GetMapping(path = "/api/admin/promotion-requests", produces = MediaType.APPLICATION_JSON_VALUE)
	Page<PromotionRequest> list(@RequestParam(name = "model", required = false) String model,
			@RequestParam(name = "state", required = false) String state, PageRequest page) {
		return this.promotions.list(model, state, page);
	}

	@GetMapping(path = "/api/admin/promotion-requests/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	PromotionRequest get(@PathVariable UUID id) {
		return this.promotions.get(id);
	}

	/**
	 * Approves a pending request (not as its requester, nor as the version's uploader);
	 * the last approval the policy asks for applies it to the routing.
	 */
	@PostMapping(path = "/api/admin/promotion-requests/{id}/approve", produces = MediaType.APPLICATION_JSON_VALUE)
	PromotionRequest approve(@PathVariable UUID id, @RequestBody(required = false) Decision body, Authentication user) {
		return this.promotions.approve(id, (body != null) ? body.comment() : null, user.getName());
	}

	/** Rejects a pending request (not as its requester); the comment is required. */
	@PostMapping(path = "/api/admin/promotion-requests/{id}/reject", produces = MediaType.APPLICATION_JSON_VALUE)
	PromotionRequest reject(@PathVariable UUID id, @RequestBody(required = false) Decision body, Authentication user) {
		return this.promotions.reject(id, (body != null) ? body.comment() : null, user.getName());
	}

	/** Withdraws a pending request (its requester only). */
	@PostMapping(path = "/api/admin/promotion-requests/{id}/withdraw", produces = MediaType.APPLICATION_JSON_VALUE)
	PromotionRequest withdraw(@PathVariable UUID id, @RequestBody(required = false) Decision body,
			Authentication user) {
		return this.promotions.withdraw(id, (body != null) ? body.comment() : null, user.getName());
	}

	/**
	 * The policy in force: {@code sha256}, {@code source} and the parsed {@code policy}.
	 */
	@GetMapping(path = "/api/admin/promotion-policy", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> policy() {
		return this.promotions.policy();
	}

	/**
	 * The documented error JSON with the failed rules ({@code rules}) and the request's
	 * id ({@code promotion_request_id}).
	 */
	@ExceptionHandler(PromotionRefused.class)
	ResponseEntity<Map<String, Object>> refused(PromotionRefused ex, HttpServletRequest request) {
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("code", ex.code());
		error.put("message", ex.getMessage());
		error.put("request_id", RequestIds.of(request));
		error.put("promotion_request_id", ex.requestId());
		error.put("rules", ex.failed());
		return ResponseEntity.status(ex.status()).body(Map.of("error", error));
	}

	/** Body of approve, reject and withdraw. */
	record Decision(@MultilineText String comment) {
	}

}
