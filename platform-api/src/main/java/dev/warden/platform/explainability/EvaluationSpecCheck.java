package dev.warden.platform.explainability;

/**
 * A check of an evaluation spec by a module that computes with it (the fairness module
 * checks that its engine accepts every sensitive attribute, e.g. that the reference of a
 * banded column is one of its bands). {@link ReferenceDatasets} asks every such bean
 * before it stores an evaluation dataset, and refuses the dataset with 400
 * {@code invalid_evaluation} and the check's reason.
 */
@FunctionalInterface
public interface EvaluationSpecCheck {

	/** Why the spec cannot be used, or {@code null} when it can. */
	String problem(EvaluationSpec spec);

}
