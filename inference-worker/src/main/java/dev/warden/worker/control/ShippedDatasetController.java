package dev.warden.worker.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.io.ClassPathResource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /internal/v1/datasets/{name}}: streams a dataset shipped with the worker as
 * CSV (UTF-8, decompressed), for platform-api to register as reference data of a model's
 * explainability reports: {@code adult_validation} (the Adult validation split the
 * {@code income} model is validated on) and {@code spamassassin_validation} (the
 * SpamAssassin validation split of {@code spam}). Any other name is 404.
 */
@RestController
class ShippedDatasetController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<String, String> DATASETS = Map.of("adult_validation",
			"datasets/adult/adult_validation.csv", "spamassassin_validation",
			"datasets/spamassassin/spamassassin_validation.csv.gz");

	@GetMapping("/internal/v1/datasets/{name}")
	void dataset(@PathVariable String name, HttpServletResponse response) throws IOException {
		String resource = DATASETS.get(name);
		if (resource == null) {
			Map<String, Object> error = new LinkedHashMap<>();
			error.put("code", "not_found");
			error.put("message",
					"no shipped dataset '" + name + "'; shipped: " + DATASETS.keySet().stream().sorted().toList());
			String requestId = response.getHeader("X-Request-Id");
			error.put("request_id", (requestId != null) ? requestId : UUID.randomUUID().toString());
			response.setStatus(HttpServletResponse.SC_NOT_FOUND);
			response.setContentType("application/json");
			response.getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", error)));
			return;
		}
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("text/csv;charset=UTF-8");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		try (InputStream in = open(resource)) {
			OutputStream out = response.getOutputStream();
			in.transferTo(out);
		}
	}

	private static InputStream open(String resource) throws IOException {
		InputStream in = new ClassPathResource(resource).getInputStream();
		return resource.endsWith(".gz") ? new GZIPInputStream(in, 64 * 1024) : in;
	}

}
