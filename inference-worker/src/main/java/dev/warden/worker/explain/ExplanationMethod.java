package dev.warden.worker.explain;

/** The explanation methods, by their names in requests and answers. */
public enum ExplanationMethod {

	INTEGRATED_GRADIENTS("integrated_gradients"), KERNEL_SHAP("kernel_shap"), OCCLUSION("occlusion");

	private final String id;

	ExplanationMethod(String id) {
		this.id = id;
	}

	public String id() {
		return id;
	}

	/** The method named {@code id}, or null. */
	public static ExplanationMethod of(String id) {
		for (ExplanationMethod method : values()) {
			if (method.id.equals(id)) {
				return method;
			}
		}
		return null;
	}

}
