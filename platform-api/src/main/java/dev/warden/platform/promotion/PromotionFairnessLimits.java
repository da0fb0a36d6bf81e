package dev.warden.platform.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.warden.platform.fairness.FairnessLimits;
import dev.warden.platform.fairness.FairnessThresholds;

/**
 * The fairness limits of a model's promotion policy, for the charts of its fairness
 * reports: each metric rule becomes a limit per attribute it names (a rule on every
 * attribute becomes one limit for all); {@code max_abs} is drawn as the range
 * −max_abs..max_abs. A model whose policy has no fairness rule has none (the report then
 * shows the four-fifths rule).
 */
@Component
class PromotionFairnessLimits implements FairnessLimits {

	private final PromotionPolicies policies;

	PromotionFairnessLimits(PromotionPolicies policies) {
		this.policies = policies;
	}

	@Override
	public Optional<FairnessThresholds> limits(String model) {
		PromotionPolicy.FairnessRule rule = this.policies.current().forModel(model).rules().fairness();
		if (rule == null || rule.metrics() == null || rule.metrics().isEmpty()) {
			return Optional.empty();
		}
		List<FairnessThresholds.Limit> limits = new ArrayList<>();
		for (PromotionPolicy.MetricRule metric : rule.metrics()) {
			String name = metric.metric().equals("four_fifths_ratio") ? "four_fifths" : metric.metric();
			Double min = (metric.maxAbs() != null) ? Double.valueOf(-metric.maxAbs()) : metric.min();
			Double max = (metric.maxAbs() != null) ? metric.maxAbs() : metric.max();
			if (min == null && max == null) {
				continue;
			}
			if (metric.attributes() == null || metric.attributes().isEmpty()) {
				limits.add(new FairnessThresholds.Limit(name, null, min, max));
			}
			else {
				for (String attribute : metric.attributes()) {
					limits.add(new FairnessThresholds.Limit(name, attribute, min, max));
				}
			}
		}
		return limits.isEmpty() ? Optional.empty() : Optional.of(new FairnessThresholds(limits));
	}

}
