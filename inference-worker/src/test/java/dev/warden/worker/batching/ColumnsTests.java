package dev.warden.worker.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.warden.worker.loader.OutputColumn;

import org.junit.jupiter.api.Test;

class ColumnsTests {

	@Test
	void primitiveOutputsAreSlicedAndJoinedByRowsLikeBoxedOnes() {
		OutputColumn flat = OutputColumn.ofFlat("p", new long[] { 3, 2 }, new float[] { 1, 2, 3, 4, 5, 6 });
		OutputColumn boxed = new OutputColumn("p", new long[] { 3, 2 }, flat.rows());

		OutputColumn middle = Columns.slice(flat, 1, 3);
		assertThat(middle.flatValues()).isEqualTo(new float[] { 3, 4, 5, 6 });
		assertThat(middle.shape()).containsExactly(2, 2);
		assertThat(middle.rows()).isEqualTo(Columns.slice(boxed, 1, 3).rows());

		OutputColumn joined = Columns.concatOutputs(List.of(Columns.slice(flat, 0, 1), middle));
		assertThat(joined.flatValues()).isEqualTo(new float[] { 1, 2, 3, 4, 5, 6 });
		assertThat(joined.shape()).containsExactly(3, 2);

		OutputColumn mixed = Columns.concatOutputs(List.of(Columns.slice(boxed, 0, 1), middle));
		assertThat(mixed.flatValues()).isNull();
		assertThat(mixed.rows()).isEqualTo(flat.rows());
		assertThat(mixed.shape()).containsExactly(3, 2);
	}

}
