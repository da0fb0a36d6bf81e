package dev.warden.console.adminapi;

import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.stereotype.Component;

/**
 * The workers the answering gateway replica routes to ({@code GET /api/admin/workers},
 * any console role), one page at a time, configured workers first.
 */
@Component
public class WorkerClient {

	private static final ParameterizedTypeReference<Page<JsonNode>> PAGE = new ParameterizedTypeReference<>() {
	};

	private final AdminApiTransport transport;

	WorkerClient(AdminApiTransport transport) {
		this.transport = transport;
	}

	/** One page of workers, from page 0. */
	public Page<Worker> workers(int page, int size) {
		Page<JsonNode> answer = this.transport.get("/api/admin/workers?page={page}&size={size}", PAGE, page, size);
		if (answer == null) {
			throw new AdminApiException("platform-api sent no workers.", null);
		}
		return new Page<>(answer.content().stream().map(Worker::of).toList(), answer.page(), answer.size(),
				answer.nextPage());
	}

}
