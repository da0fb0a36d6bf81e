package dev.warden.platform.audit;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.audit.AuditTrail.AuditEvent;

@RestController
@RequestMapping("/api/admin/audit-events")
class AuditController {

	private final AuditTrail trail;

	AuditController(AuditTrail trail) {
		this.trail = trail;
	}

	/** Most recent audit events first, optionally for one target. */
	@GetMapping
	List<AuditEvent> list(@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
			@RequestParam(name = "target_type", required = false) String targetType,
			@RequestParam(name = "target_id", required = false) String targetId) {
		return this.trail.recent(limit, targetType, targetId);
	}

}
