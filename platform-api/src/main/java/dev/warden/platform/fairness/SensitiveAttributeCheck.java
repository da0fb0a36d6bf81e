package dev.warden.platform.fairness;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.warden.platform.explainability.EvaluationSpec;
import dev.warden.platform.explainability.EvaluationSpecCheck;
import dev.warden.platform.fairness.internal.SensitiveAttribute;

/**
 * The sensitive attributes of an evaluation spec as the fairness engine takes them
 * ({@link SensitiveAttribute}): an evaluation dataset whose attributes the engine refuses
 * (a banded column's reference that is not one of its bands, say) is refused when it is
 * registered, not when its first check runs.
 */
@Component
class SensitiveAttributeCheck implements EvaluationSpecCheck {

	@Override
	public String problem(EvaluationSpec spec) {
		try {
			attributes(spec);
			return null;
		}
		catch (IllegalArgumentException ex) {
			return ex.getMessage();
		}
	}

	/**
	 * The spec's attributes for the engine.
	 * @throws IllegalArgumentException with a reason a user can act on
	 */
	static List<SensitiveAttribute> attributes(EvaluationSpec spec) {
		List<SensitiveAttribute> attributes = new ArrayList<>();
		for (EvaluationSpec.Attribute attribute : spec.sensitive()) {
			attributes.add(new SensitiveAttribute(attribute.name(), attribute.reference(), attribute.bands()));
		}
		return attributes;
	}

}
