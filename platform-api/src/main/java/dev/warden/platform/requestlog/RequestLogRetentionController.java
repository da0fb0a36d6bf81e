package dev.warden.platform.requestlog;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.requestlog.RequestLogPartitions.Partition;
import dev.warden.platform.requestlog.RequestLogPartitions.RetentionResult;
import dev.warden.platform.system.ApiException;

/**
 * The monthly partitions of the request log (read by ADMIN and COMPLIANCE) and the
 * retention run on demand (ADMIN; the admin security chain enforces both). What a
 * retention run removes is audited.
 */
@RestController
@RequestMapping(path = "/api/admin/request-log", produces = MediaType.APPLICATION_JSON_VALUE)
class RequestLogRetentionController {

	/** SQL state of a lock wait that exceeded {@code lock_timeout}. */
	private static final String LOCK_NOT_AVAILABLE = "55P03";

	private final RequestLogPartitions partitions;

	private final RetentionPolicy policy;

	RequestLogRetentionController(RequestLogPartitions partitions, RetentionPolicy policy) {
		this.partitions = partitions;
		this.policy = policy;
	}

	/** The partitions, oldest first, the default partition last. */
	@GetMapping("/partitions")
	List<Partition> list() {
		return this.partitions.list();
	}

	/**
	 * Applies the retention of {@code policies/logging.yaml} now (what the daily run
	 * does): 409 {@code retention_not_configured} when the policy has no
	 * {@code retention} section, 503 {@code request_log_busy} when the table locks were
	 * not granted within {@code warden.request-log.partitions.lock-timeout} (nothing was
	 * changed).
	 */
	@PostMapping("/retention:apply")
	RetentionResult apply(Authentication user) {
		if (!this.policy.configured()) {
			throw new ApiException(HttpStatus.CONFLICT, "retention_not_configured",
					"policies/logging.yaml has no retention section: the request log is kept forever");
		}
		try {
			return this.partitions.applyRetention(Instant.now(), user.getName());
		}
		catch (DataAccessException ex) {
			if (ex.getMostSpecificCause() instanceof SQLException sql && LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
				throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "request_log_busy",
						"request_log is locked by other work; nothing was changed, try again later");
			}
			throw ex;
		}
	}

}
