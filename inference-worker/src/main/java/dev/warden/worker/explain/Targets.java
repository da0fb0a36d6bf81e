package dev.warden.worker.explain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an explanation explains when the version's contract names it: a class's
 * probability or logit, the class from the request or the contract's default.
 */
final class Targets {

	private Targets() {
	}

	static boolean logit(ExplanationRequest r) {
		if (r.target() == null || r.target().equals("probability")) {
			return false;
		}
		if (r.target().equals("logit")) {
			return true;
		}
		throw new ExplanationException("parameters.target: unknown target '" + r.target() + "' (probability or logit)");
	}

	static int contractClass(ExplanationRequest r, ExplainContract contract) {
		if (r.targetClass() == null) {
			return contract.defaultClass();
		}
		int c = r.targetClass();
		if (c < 0 || c >= contract.classes().size()) {
			throw new ExplanationException("parameters.class: " + c + " is not a class of this model (0 to "
					+ (contract.classes().size() - 1) + ": " + String.join(", ", contract.classes()) + ")");
		}
		return c;
	}

	static Map<String, Object> contractTarget(ExplainContract contract, boolean logit, int targetClass,
			ExplanationRequest r) {
		Map<String, Object> target = new LinkedHashMap<>();
		target.put("kind", logit ? "logit" : "probability");
		target.put("class", targetClass);
		target.put("class_name", contract.classes().get(targetClass));
		target.put("class_from", r.targetClass() != null ? "request" : "model default");
		return target;
	}

}
