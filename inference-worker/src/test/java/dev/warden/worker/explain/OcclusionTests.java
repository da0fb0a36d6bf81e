package dev.warden.worker.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class OcclusionTests {

	private static final BatchModel MODEL = rows -> {
		double[] out = new double[rows.length];
		for (int r = 0; r < rows.length; r++) {
			double[] p = rows[r];
			out[r] = 2 * p[0] + p[1] * p[2] - p[3];
		}
		return out;
	};

	@Test
	void eachEffectIsTheDropFromReplacingItsGroupByTheBaselineInOneCall() {
		double[] x = { 1, 2, 3, 4 };
		double[] baseline = { 0, 0, 1, 0 };
		int[] calls = { 0 };
		Occlusion.Result result = Occlusion.explain(rows -> {
			calls[0]++;
			return MODEL.evaluate(rows);
		}, x, baseline, Occlusion.singletons(4), 1000);

		double fx = 2 + 6 - 4;
		assertThat(result.valueAtInput()).isEqualTo(fx);
		assertThat(result.valueAtBaseline()).isEqualTo(0);
		// f(x) − f(x with entry i from the baseline), computed by hand
		assertThat(result.effects()).containsExactly(
				new double[] { fx - (0 + 6 - 4), fx - (2 + 0 - 4), fx - (2 + 2 - 4), fx - (2 + 6 - 0) }, within(1e-12));
		// the product interacts: the effects do not add up to f(x) − f(baseline)
		assertThat(result.additivityGap()).isCloseTo(2 + 6 + 4 - 4 - fx, within(1e-12));
		assertThat(result.evaluations()).isEqualTo(6);
		assertThat(calls[0]).isEqualTo(1).isEqualTo(result.calls());
	}

	@Test
	void groupsAreReplacedTogether() {
		double[] x = { 1, 2, 3, 4 };
		double[] baseline = { 0, 0, 0, 0 };
		Occlusion.Result result = Occlusion.explain(MODEL, x, baseline, new int[][] { { 1, 2 }, { 0, 3 } }, 2);
		assertThat(result.effects()).containsExactly(new double[] { 6, 2 - 4 }, within(1e-12));
		assertThat(result.calls()).isEqualTo(2);
	}

}
