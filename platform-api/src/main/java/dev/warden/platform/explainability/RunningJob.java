package dev.warden.platform.explainability;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;

import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.explainability.internal.ModelColumn;
import dev.warden.platform.explainability.internal.Prediction;
import dev.warden.platform.explainability.internal.ReportComputation;
import dev.warden.platform.explainability.internal.WorkerModels;

/**
 * A claimed job as its {@link JobKind} sees it while computing: the job, its dataset, the
 * version's digest, the dataset's rows, predictions of the job's version (which the job
 * holds loaded), and the checkpoints at which progress is recorded, the lease renewed and
 * a cancellation honoured. Used by one runner thread.
 */
public final class RunningJob {

	private final ExplainabilityJob job;

	private final ReferenceDataset dataset;

	private final WorkerModels.Metadata metadata;

	private final List<ModelColumn> columns;

	private final String requestId;

	private final Iterator<List<String[]>> rows;

	private final WorkerModels workers;

	private final LongConsumer total;

	private final ReportComputation.Checkpoint checkpoint;

	RunningJob(ExplainabilityJob job, ReferenceDataset dataset, WorkerModels.Metadata metadata,
			List<ModelColumn> columns, String requestId, Iterator<List<String[]>> rows, WorkerModels workers,
			LongConsumer total, ReportComputation.Checkpoint checkpoint) {
		this.job = job;
		this.dataset = dataset;
		this.metadata = metadata;
		this.columns = columns;
		this.requestId = requestId;
		this.rows = rows;
		this.workers = workers;
		this.total = total;
		this.checkpoint = checkpoint;
	}

	public ExplainabilityJob job() {
		return this.job;
	}

	/** The job's dataset (its evaluation spec included). */
	public ReferenceDataset dataset() {
		return this.dataset;
	}

	/** The job's version. */
	public long version() {
		return Long.parseLong(this.job.version());
	}

	/**
	 * The SHA-256 of the version's files as the worker computed it, or {@code null} when
	 * the worker does not say.
	 */
	public String modelSha256() {
		return this.metadata.modelSha256();
	}

	/**
	 * The dataset's rows, chunk by chunk in stored order, each chunk read and decrypted
	 * when it is asked for. A row's first cells are the model's inputs (in the order of
	 * {@link ReferenceDataset#columns()}); an evaluation dataset's rows then hold the
	 * label and the sensitive columns ({@link EvaluationSpec}). Read once.
	 */
	public Iterator<List<String[]>> rows() {
		return this.rows;
	}

	/**
	 * The class probabilities the job's version predicts for {@code rows} (their model
	 * cells only; the cells after them are never sent), one array per row, {@code null}
	 * for a row whose answer has none.
	 * @throws RuntimeException with the worker's reason when the worker refuses the rows
	 * or cannot be reached (the job fails with it)
	 */
	public List<double[]> probabilities(List<String[]> rows) {
		List<ObjectNode> instances = new ArrayList<>(rows.size());
		for (String[] row : rows) {
			instances.add(ReportComputation.instance(this.columns, row));
		}
		List<double[]> probabilities = new ArrayList<>(rows.size());
		for (Prediction prediction : predict(instances)) {
			probabilities.add(prediction.probabilities());
		}
		return probabilities;
	}

	/** Records how many rows the job processes in all (shown as {@code rows_total}). */
	public void total(long rows) {
		this.total.accept(rows);
	}

	/**
	 * A checkpoint: call after every batch and at every chunk boundary. Records
	 * {@code rowsDone} and renews the lease at a chunk boundary and at least every 2 s.
	 * @return {@code false} when the job was cancelled: stop, and return
	 * {@link JobResult#cancelled}
	 */
	public boolean proceed(long rowsDone, boolean chunkBoundary) {
		return this.checkpoint.proceed(rowsDone, chunkBoundary);
	}

	WorkerModels.Metadata metadata() {
		return this.metadata;
	}

	List<ModelColumn> columns() {
		return this.columns;
	}

	String requestId() {
		return this.requestId;
	}

	ReportComputation.Checkpoint checkpoint() {
		return this.checkpoint;
	}

	List<Prediction> predict(List<ObjectNode> instances) {
		return this.workers.predict(this.job.model(), version(), instances, this.requestId);
	}

}
