package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.warden.console.adminapi.Signature;
import tools.jackson.databind.JsonNode;

import org.springframework.util.MultiValueMap;

/**
 * The interactive explain form of a version: one field per input of the serving signature
 * for a tabular model, one text area for a text model (a signature with a single
 * {@code DT_STRING} input), the method and its parameters. It keeps what the user typed,
 * so the page can show it again next to platform-api's answer, and turns it into the body
 * of {@code POST …/explain}: numbers for numeric inputs (a value that is not a number is
 * sent as typed, for platform-api to name), text for the others.
 *
 * @param text whether the model takes one text
 * @param signature the signature's name
 * @param textInput the text input's name (text models)
 * @param textValue the text typed
 * @param fields the input fields (tabular models), by input name
 * @param method the method chosen, empty for the platform's default
 * @param steps the integrated-gradients step count typed, may be empty
 * @param seed the KernelSHAP seed typed, may be empty
 */
record ExplainForm(boolean text, String signature, String textInput, String textValue, List<InputField> fields,
		String method, String steps, String seed) {

	/** The methods the form offers; empty is the platform's default. */
	static final List<String> METHODS = List.of("integrated_gradients", "kernel_shap", "occlusion");

	/** Form parameter names of the inputs start with this. */
	static final String INPUT_PREFIX = "input.";

	private static final Set<String> INTEGER_TYPES = Set.of("DT_INT8", "DT_INT16", "DT_INT32", "DT_INT64", "DT_UINT8",
			"DT_UINT16", "DT_UINT32", "DT_UINT64");

	private static final Set<String> FLOAT_TYPES = Set.of("DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16");

	/**
	 * The signature the form is for: {@code serving_default}, else the first; null when
	 * the version has none.
	 */
	static Signature servingSignature(List<Signature> signatures) {
		return signatures.stream()
			.filter((signature) -> signature.name().equals("serving_default"))
			.findFirst()
			.orElse(signatures.isEmpty() ? null : signatures.get(0));
	}

	/**
	 * An empty form, its fields prefilled from the baseline (an object of column values,
	 * possibly under {@code values}, {@code value} or {@code row}) where it has a value
	 * for them.
	 */
	static ExplainForm blank(Signature signature, JsonNode baseline) {
		Map<String, String> prefill = new LinkedHashMap<>();
		JsonNode row = ReportView.baselineRow(baseline);
		if (row != null && row.isObject()) {
			for (Map.Entry<String, JsonNode> entry : row.properties()) {
				if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
					prefill.put(entry.getKey(), Figures.exact(entry.getValue()));
				}
			}
		}
		return form(signature, (name) -> prefill.getOrDefault(name, ""), "", "", "", "");
	}

	/** The form as the user sent it. */
	static ExplainForm submitted(Signature signature, MultiValueMap<String, String> parameters) {
		return form(signature, (name) -> value(parameters, INPUT_PREFIX + name), value(parameters, "text"),
				value(parameters, "method"), value(parameters, "steps"), value(parameters, "seed"));
	}

	private static ExplainForm form(Signature signature, Function<String, String> values, String text, String method,
			String steps, String seed) {
		boolean isText = signature.inputs().size() == 1 && "DT_STRING".equals(signature.inputs().get(0).dtype());
		List<InputField> fields = new ArrayList<>();
		if (!isText) {
			for (Signature.Tensor input : signature.inputs()) {
				fields.add(new InputField(input.name(), input.dtype(), input.shape(), values.apply(input.name())));
			}
		}
		return new ExplainForm(isText, signature.name(), isText ? signature.inputs().get(0).name() : null, text, fields,
				method, steps, seed);
	}

	private static String value(MultiValueMap<String, String> parameters, String name) {
		String value = parameters.getFirst(name);
		return (value != null) ? value : "";
	}

	/**
	 * The body of {@code POST …/explain}: one instance, by input name, and the parameters
	 * the user set for the chosen method.
	 * @throws InvalidForm when steps or seed is not a whole number
	 */
	Map<String, Object> request() {
		Map<String, Object> instance = new LinkedHashMap<>();
		if (this.text) {
			instance.put(this.textInput, this.textValue);
		}
		else {
			for (InputField field : this.fields) {
				Object value = field.jsonValue();
				if (value != null) {
					instance.put(field.name(), value);
				}
			}
		}
		Map<String, Object> parameters = new LinkedHashMap<>();
		if (!this.method.isBlank()) {
			parameters.put("method", this.method.trim());
		}
		if (!this.steps.isBlank() && usesSteps()) {
			parameters.put("steps", wholeNumber("Steps", this.steps));
		}
		if (!this.seed.isBlank() && usesSeed()) {
			parameters.put("seed", wholeNumber("Seed", this.seed));
		}
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("instances", List.of(instance));
		request.put("parameters", parameters);
		return request;
	}

	/**
	 * The text as the text area must hold it: an HTML parser drops one line break right
	 * after {@code <textarea>}, so a text that starts with one gets another in front.
	 */
	public String textAreaValue() {
		String value = (this.textValue != null) ? this.textValue : "";
		return (value.startsWith("\n") || value.startsWith("\r")) ? "\n" + value : value;
	}

	/**
	 * Whether the chosen method takes a step count (integrated gradients, or default).
	 */
	public boolean usesSteps() {
		return this.method.isBlank() || this.method.equals("integrated_gradients");
	}

	/** Whether the chosen method takes a seed (KernelSHAP, or default). */
	public boolean usesSeed() {
		return this.method.isBlank() || this.method.equals("kernel_shap");
	}

	private static long wholeNumber(String label, String value) {
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidForm(label + " must be a whole number, not '" + Figures.shorten(value, 40) + "'.");
		}
	}

	/**
	 * One input of the signature.
	 *
	 * @param name the input's name
	 * @param dtype its TensorFlow type
	 * @param shape its shape
	 * @param value what is typed in its field
	 */
	record InputField(String name, String dtype, String shape, String value) {

		/** The field's form parameter name. */
		public String parameter() {
			return INPUT_PREFIX + this.name;
		}

		public boolean numeric() {
			return INTEGER_TYPES.contains(this.dtype) || FLOAT_TYPES.contains(this.dtype);
		}

		/**
		 * The value as sent: a number for a numeric input when it reads as one (else the
		 * text as typed), a boolean for {@code DT_BOOL}, text otherwise; null (left out)
		 * for an empty numeric field.
		 */
		Object jsonValue() {
			String trimmed = this.value.trim();
			if (INTEGER_TYPES.contains(this.dtype) || FLOAT_TYPES.contains(this.dtype)) {
				if (trimmed.isEmpty()) {
					return null;
				}
				try {
					if (INTEGER_TYPES.contains(this.dtype)) {
						return Long.parseLong(trimmed);
					}
					double number = Double.parseDouble(trimmed);
					// NaN and infinities are not JSON numbers: sent as typed
					return Double.isFinite(number) ? number : this.value;
				}
				catch (NumberFormatException ex) {
					return this.value;
				}
			}
			if ("DT_BOOL".equals(this.dtype)) {
				String lower = trimmed.toLowerCase(Locale.ROOT);
				if (lower.equals("true") || lower.equals("false")) {
					return Boolean.valueOf(lower);
				}
				return trimmed.isEmpty() ? null : this.value;
			}
			return this.value;
		}

	}

	/** The form cannot be sent as it is; the message says why. */
	static final class InvalidForm extends RuntimeException {

		InvalidForm(String message) {
			super(message);
		}

	}

}
