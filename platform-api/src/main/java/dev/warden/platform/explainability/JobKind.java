package dev.warden.platform.explainability;

/**
 * A kind of report the job queue of this module computes
 * ({@code explainability_jobs.kind}): {@code explanation} (this module's explainability
 * reports) and the kinds other modules implement (e.g. {@code fairness}).
 * {@link ExplainabilityJobRunner} claims, leases, fences, holds, cancels and retries
 * every job the same way, and hands the computation to the bean of the job's kind. A
 * module that adds a kind depends on this one, never the other way round.
 */
public interface JobKind {

	/** The kind, as stored in {@code explainability_jobs.kind}. */
	String name();

	/**
	 * Computes a claimed job whose version is loaded and whose dataset fits the version's
	 * inputs. Called on a runner thread; reads the rows through
	 * {@link RunningJob#rows()}, reports progress and honours cancellation through
	 * {@link RunningJob#proceed}. A failure is an exception whose message says why (an
	 * {@link IllegalStateException} for a reason of the job's own).
	 * @return the rows processed and how to store the report, or
	 * {@link JobResult#cancelled}
	 */
	JobResult run(RunningJob job);

	/**
	 * Called when a version of {@code model} first becomes AVAILABLE (and after a
	 * reference model's shipped dataset was registered, for each AVAILABLE version): a
	 * kind may queue its automatic job here. Runs on a thread of its own; exceptions are
	 * logged.
	 */
	default void versionAvailable(String model, long version) {
	}

}
