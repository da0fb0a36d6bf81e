package dev.warden.platform.modelcard;

import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;

/**
 * Beans added to the application of {@link ModelCardIntegrationTests} (through
 * {@code spring.main.sources}; deliberately not annotated, so that no other test's
 * component scan picks it up): a contributor standing in for the promotion module, which
 * records an override for model {@code mc-gov}, and one that always fails.
 */
public class TestContributors {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What the promotion stand-in says about {@code mc-gov} version 1. */
	static final String PROMOTION = """
			{"history": [{"to": "stable", "decision": "approved", "by": "alice", "approved_by": "bob",
			              "at": "2026-12-01T10:00:00Z"}],
			 "overrides": [{"rule": "fairness.four_fifths", "overridden_by": "alice",
			                "reason": "accepted for the demonstration: see ticket GOV-7"}]}""";

	@Bean
	ModelCardContributor promotionStandIn() {
		return new ModelCardContributor() {

			@Override
			public String section() {
				return "promotion";
			}

			@Override
			public Optional<JsonNode> contribute(String model, long version) {
				return (model.equals("mc-gov") && version == 1) ? Optional.of(JSON.readTree(PROMOTION))
						: Optional.empty();
			}

		};
	}

	@Bean
	ModelCardContributor failingContributor() {
		return new ModelCardContributor() {

			@Override
			public String section() {
				return "broken";
			}

			@Override
			public Optional<JsonNode> contribute(String model, long version) {
				if (model.equals("mc-gov")) {
					throw new IllegalStateException("the broken section's store is down");
				}
				return Optional.empty();
			}

		};
	}

}
