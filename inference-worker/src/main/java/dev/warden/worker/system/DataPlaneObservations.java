package dev.warden.worker.system;

import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Turns Spring's per-request HTTP server observation ({@code http.server.requests}, the
 * {@code http_server_requests_seconds} metric) off for the data-plane requests:
 * {@code POST /v1/models/**} (predict, classify, regress, explain), {@code POST
 * /v2/models/**} (infer) and the benchmark floor {@code POST /internal/v1/noop}. On a
 * small request it cost about as much as the model call: a timer per URI template and
 * status, a long-task timer, and the tags. Those requests are counted and timed by the
 * worker's own inference metrics ({@code warden_worker_requests_total} and
 * {@code warden_worker_request_duration_seconds}, see docs/worker.md) and by the gateway
 * in front; every other request (status, metadata, control API, actuator) is still
 * observed.
 */
@Configuration(proxyBeanMethods = false)
class DataPlaneObservations {

	@Bean
	ObservationPredicate dataPlaneRequestsNotObserved() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext server
				&& isDataPlane(server.getCarrier()));
	}

	static boolean isDataPlane(HttpServletRequest request) {
		if (request == null || !"POST".equals(request.getMethod())) {
			return false;
		}
		String uri = request.getRequestURI();
		return uri.startsWith("/v1/models/") || uri.startsWith("/v2/models/") || uri.equals("/internal/v1/noop");
	}

}
