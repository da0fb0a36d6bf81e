package dev.warden.worker.explain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.explain.ExplanationRequest.NamedBaseline;
import dev.warden.worker.explain.ExplanationRequest.RowBaseline;
import dev.warden.worker.loader.InputColumn;

/**
 * The baselines of a tabular model: {@code training} (the contract's means and modes),
 * {@code missing} (0, false and the empty string) or a row from the request, each
 * reported with its values and a SHA-256.
 */
final class Baselines {

	private Baselines() {
	}

	/** A baseline row of the serving inputs, with how it is reported. */
	record Baseline(String name, Map<String, InputColumn> row, String sha256) {

		Map<String, Object> json() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("name", name);
			json.put("values", Rows.values(row, 0));
			json.put("sha256", sha256);
			return json;
		}

	}

	static Baseline tabular(ExplanationCall call) {
		ExplanationRequest.Baseline asked = call.request().baseline();
		ExplainableVersion version = call.version();
		ExplainContract contract = version.contract();
		Map<String, InputColumn> row;
		String name;
		if (asked instanceof RowBaseline given) {
			if (Rows.count(given.row()) != 1) {
				throw new ExplanationException(
						"parameters.baseline: one row of the inputs, got " + Rows.count(given.row()));
			}
			row = given.row();
			name = "request";
		}
		else {
			name = asked instanceof NamedBaseline named ? named.name()
					: (contract != null && contract.kind() == ExplainContract.Kind.TABULAR ? "training" : "missing");
			switch (name) {
				case "training" -> {
					if (contract == null) {
						throw new ExplanationException("parameters.baseline: 'training' needs the training statistics "
								+ "a version ships in assets.extra/" + ExplainContract.FILE
								+ ", which this one does not; use 'missing' or a row of the inputs");
					}
					try {
						row = Rows.fromValues(contract.baselines().get("training"),
								List.copyOf(version.serving().inputs().values()));
					}
					catch (IllegalArgumentException ex) {
						throw new ExplanationException("parameters.baseline: this version's training baseline in "
								+ ExplainContract.FILE + " does not fit its inputs: " + ex.getMessage()
								+ "; use 'missing' or a row of the inputs");
					}
				}
				case "missing" -> {
					if (version.slots() == null) {
						throw new ExplanationException(
								"parameters.baseline: 'missing' needs a tabular serving signature");
					}
					row = version.slots().missingRow();
				}
				default -> throw new ExplanationException("parameters.baseline: unknown baseline '" + name
						+ "' (training, missing, or an object with a value for every input)");
			}
		}
		return new Baseline(name, row, Explanations.sha256(Rows.values(row, 0)));
	}

	static Map<String, InputColumn> joined(Map<String, InputColumn> instances, Baseline baseline) {
		try {
			return Rows.concat(List.of(instances, baseline.row()));
		}
		catch (IllegalArgumentException ex) {
			throw new ExplanationException("parameters.baseline: input '" + ex.getMessage()
					+ "' has another number of values per row than in the instances");
		}
	}

}
