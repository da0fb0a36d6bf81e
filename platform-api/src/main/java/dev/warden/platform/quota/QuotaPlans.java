package dev.warden.platform.quota;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.WardenProperties;

/**
 * The quota plans, read once at start-up from {@code <policies dir>/quotas.yaml}, or from the copy packaged
 * in the jar ({@code classpath:policies/quotas.yaml}) when the policies directory does not exist.
 */
@Component
public class QuotaPlans {

	private static final Logger log = LoggerFactory.getLogger(QuotaPlans.class);

	private final Map<String, QuotaPlan> plans;

	private final String defaultPlan;

	QuotaPlans(WardenProperties warden) throws IOException {
		Path dir = warden.policiesDir();
		JsonNode root;
		if (Files.isDirectory(dir)) {
			Path file = dir.resolve("quotas.yaml");
			try (InputStream in = Files.newInputStream(file)) {
				root = new YAMLMapper().readTree(in);
			}
			log.info("Quota plans read from {}", file.toAbsolutePath());
		}
		else {
			try (InputStream in = new ClassPathResource("policies/quotas.yaml").getInputStream()) {
				root = new YAMLMapper().readTree(in);
			}
			log.info("Quota plans read from the packaged policies/quotas.yaml ({} does not exist)",
					dir.toAbsolutePath());
		}
		Map<String, QuotaPlan> parsed = new LinkedHashMap<>();
		root.path("plans").properties().forEach((entry) -> {
			JsonNode plan = entry.getValue();
			parsed.put(entry.getKey(), new QuotaPlan(entry.getKey(), plan.path("requests_per_second").asLong(),
					plan.path("burst").asLong(), plan.path("max_request_bytes").asLong(),
					plan.path("requests_per_month").asLong(0), plan.path("max_rows_per_request").asLong(0)));
		});
		if (parsed.isEmpty()) {
			throw new IllegalStateException("quotas.yaml defines no plans");
		}
		this.plans = Collections.unmodifiableMap(parsed);
		this.defaultPlan = root.path("default_plan").asString("free");
		if (!this.plans.containsKey(this.defaultPlan)) {
			throw new IllegalStateException("default_plan '" + this.defaultPlan + "' is not a defined plan");
		}
	}

	public Optional<QuotaPlan> find(String name) {
		return Optional.ofNullable(this.plans.get(name));
	}

	public Set<String> names() {
		return this.plans.keySet();
	}

	public String defaultPlan() {
		return this.defaultPlan;
	}

}
