package dev.warden.worker.explain;

import java.util.Arrays;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;

/**
 * The version's serving signature as a {@link BatchModel} on coded rows (see
 * {@link TabularSlots}): every row becomes one row of the signature's inputs, and the
 * answer is one entry of one output. Rows are sent in calls of at most
 * {@code rowsPerCall} rows straight to the loaded servable (not through the dynamic
 * batching queue).
 */
final class ServingModel implements BatchModel {

	private final LoadedServable servable;

	private final String signature;

	private final TabularSlots.Coder coder;

	private final Target target;

	private final int rowsPerCall;

	private final Meter meter;

	ServingModel(LoadedServable servable, String signature, TabularSlots.Coder coder, Target target, int rowsPerCall,
			Meter meter) {
		this.servable = servable;
		this.signature = signature;
		this.coder = coder;
		this.target = target;
		this.rowsPerCall = rowsPerCall;
		this.meter = meter;
	}

	@Override
	public double[] evaluate(double[][] rows) {
		double[] out = new double[rows.length];
		for (int from = 0; from < rows.length; from += rowsPerCall) {
			int to = Math.min(rows.length, from + rowsPerCall);
			double[][] chunk = (from == 0 && to == rows.length) ? rows : Arrays.copyOfRange(rows, from, to);
			double[] values = call(servable, signature, coder.decode(chunk), target, meter);
			System.arraycopy(values, 0, out, from, values.length);
		}
		return out;
	}

	/** The target entry of each row of one call of a signature. */
	static double[] call(LoadedServable servable, String signature, Map<String, InputColumn> inputs, Target target,
			Meter meter) {
		int rows = inputs.values().iterator().next().rows();
		double[] values = servable.call(signature, inputs, result -> {
			Outputs.Values output = Outputs.read(result, target.output());
			return output.column(target.index(), rows);
		});
		meter.called(rows);
		return values;
	}

	/**
	 * What is explained: entry {@code index} of each row of the serving output
	 * {@code output} (0 for an output with one value per row, the class otherwise).
	 */
	record Target(String output, int index) {
	}

}
