package dev.warden.platform.explainability;

import java.util.UUID;

/**
 * How the computation of a job ended.
 *
 * @param rows rows processed
 * @param writer stores the report, or {@code null} when the job was cancelled
 */
public record JobResult(long rows, ReportWriter writer) {

	/** The job was cancelled at a checkpoint, after {@code rows} rows. */
	public static JobResult cancelled(long rows) {
		return new JobResult(rows, null);
	}

	/** The job is done; {@code writer} stores its report. */
	public static JobResult done(long rows, ReportWriter writer) {
		if (writer == null) {
			throw new IllegalArgumentException("a done job stores a report");
		}
		return new JobResult(rows, writer);
	}

	public boolean cancelled() {
		return this.writer == null;
	}

	/**
	 * Writes a job's report (and its audit event). Called by the runner inside the
	 * transaction that also marks the job done, once it made sure the job is still its
	 * own (claim token): a runner that lost its lease writes nothing.
	 */
	@FunctionalInterface
	public interface ReportWriter {

		/**
		 * @return the report's id
		 */
		UUID write();

	}

}
