package dev.warden.worker.explain;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;

/**
 * A text model's serving signature as a {@link BatchModel} on token-presence rows: entry
 * t of a row is 1 when token t stays in the text and 0 when it is removed. A removed
 * token's characters (its span in the original text) are replaced by spaces, one per
 * character (code point), so the text keeps its length and the model reads the same
 * window of it. Texts go to the servable in calls of at most about
 * {@code 4 · maxCallElements} characters.
 */
final class TextOcclusion implements BatchModel {

	private final LoadedServable servable;

	private final SignatureSpec serving;

	private final String input;

	private final String text;

	private final List<TextTokens.Span> spans;

	private final ServingModel.Target target;

	private final int rowsPerCall;

	private final Meter meter;

	TextOcclusion(LoadedServable servable, SignatureSpec serving, String input, String text,
			List<TextTokens.Span> spans, ServingModel.Target target, int maxCallElements, Meter meter) {
		this.servable = servable;
		this.serving = serving;
		this.input = input;
		this.text = text;
		this.spans = spans;
		this.target = target;
		this.rowsPerCall = (int) Math.max(1,
				Math.min(Integer.MAX_VALUE, 4L * maxCallElements / Math.max(1, text.length())));
		this.meter = meter;
	}

	int rowsPerCall() {
		return rowsPerCall;
	}

	@Override
	public double[] evaluate(double[][] rows) {
		double[] out = new double[rows.length];
		for (int from = 0; from < rows.length; from += rowsPerCall) {
			int to = Math.min(rows.length, from + rowsPerCall);
			String[] texts = new String[to - from];
			for (int r = from; r < to; r++) {
				texts[r - from] = without(rows[r]);
			}
			InputColumn column = new InputColumn(serving.inputs().get(input), new long[] { texts.length }, texts);
			double[] values = ServingModel.call(servable, serving.key(), Map.of(input, column), target, meter);
			System.arraycopy(values, 0, out, from, values.length);
		}
		return out;
	}

	/** The text with the tokens whose entry is 0 replaced by spaces. */
	String without(double[] present) {
		boolean[] removed = new boolean[text.length()];
		boolean any = false;
		for (int t = 0; t < present.length; t++) {
			if (present[t] == 0) {
				Arrays.fill(removed, spans.get(t).start(), spans.get(t).end(), true);
				any = true;
			}
		}
		if (!any) {
			return text;
		}
		StringBuilder out = new StringBuilder(text.length());
		for (int i = 0; i < text.length();) {
			int cp = text.codePointAt(i);
			if (removed[i]) {
				out.append(' ');
			}
			else {
				out.appendCodePoint(cp);
			}
			i += Character.charCount(cp);
		}
		return out.toString();
	}

}
