package dev.warden.console.adminapi;

import dev.warden.console.system.Message;

/**
 * Cancel and retry of a job of platform-api's job queue (report jobs and fairness checks
 * alike), with the outcome as the page shows it.
 */
public final class JobActions {

	private JobActions() {
	}

	/**
	 * Cancels a queued or running job.
	 * @param what how the page names the job ("Job", "Fairness check")
	 */
	public static Message cancel(ExplainabilityClient jobs, String what, String id) {
		try {
			jobs.cancelJob(id);
			return Message.ok(what + " " + id + " cancelled.");
		}
		catch (AdminApiException ex) {
			return Message.error(what + " " + id + " was not cancelled: " + ex.getMessage());
		}
	}

	/**
	 * Queues a failed or cancelled job again, as a new attempt.
	 * @param what how the page names the job ("Job", "Fairness check")
	 */
	public static Message retry(ExplainabilityClient jobs, String what, String id) {
		try {
			ExplainabilityJob job = jobs.retryJob(id);
			String attempt = (job != null && job.attempt() != null) ? " (attempt " + job.attempt() + ")" : "";
			return Message.ok(what + " " + id + " queued again" + attempt + ".");
		}
		catch (AdminApiException ex) {
			return Message.error(what + " " + id + " was not retried: " + ex.getMessage());
		}
	}

}
