package dev.warden.platform.fairness.internal;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class FairnessTallyTests {

	private static final List<SensitiveAttribute> SEX_AGE = List.of(new SensitiveAttribute("sex", null, null),
			new SensitiveAttribute("age", null, List.of(25.0, 60.0)));

	@Test
	void aMillionRowsKeepOneCellPerCombinationOfGroups() {
		FairnessTally tally = new FairnessTally(SEX_AGE);
		String[] sexes = { "Male", "Female" };
		String[] ages = { "18", "30", "45", "61", "90", "24.5" };
		for (int i = 0; i < 1_000_000; i++) {
			tally.add(new String[] { sexes[i % 2], ages[i % ages.length] }, i % 3 == 0, i % 5 == 0);
		}
		assertThat(tally.rows()).isEqualTo(1_000_000);
		assertThat(tally.cellCount()).isEqualTo(2 * 3);
		assertThat(tally.groups(0)).containsExactly("Female", "Male");
		assertThat(tally.groups(1)).containsExactly("<25", "25 to <60", ">=60");
		assertThat(tally.total().n()).isEqualTo(1_000_000);
		long predicted = 0;
		for (FairnessTally.Cell cell : tally.cells()) {
			predicted += cell.counts().predictedPositives();
		}
		assertThat(predicted).isEqualTo(200_000);
	}

	@Test
	void countsEachRowInItsConfusionCell() {
		FairnessTally tally = new FairnessTally(SEX_AGE);
		tally.add(new String[] { "Male", "30" }, true, true);
		tally.add(new String[] { " Male ", "31" }, false, true);
		tally.add(new String[] { "Male", "32" }, false, false);
		tally.add(new String[] { "Male", "33" }, true, false);
		tally.add(new String[] { "Male", "33" }, true, false);
		tally.add(new String[] { "", "x" }, true, false);
		List<FairnessTally.Cell> cells = tally.cells();
		assertThat(cells).hasSize(2);
		assertThat(cells.get(0).groups()).containsExactly("Male", "25 to <60");
		assertThat(cells.get(0).counts()).isEqualTo(new GroupCounts(1, 1, 1, 2));
		assertThat(cells.get(1).groups()).containsExactly("(missing)", "(not a number)");
	}

	@Test
	void refusesMoreDistinctGroupsThanTheLimit() {
		FairnessTally tally = new FairnessTally(SEX_AGE);
		for (int i = 0; i < 50; i++) {
			tally.add(new String[] { "id" + i, "30" }, true, true);
		}
		assertThatIllegalStateException().isThrownBy(() -> tally.add(new String[] { "id50", "30" }, true, true))
			.withMessageContaining("sensitive attribute 'sex' has more than 50 distinct groups")
			.withMessageContaining("bands");
		FairnessTally small = new FairnessTally(SEX_AGE, 2);
		small.add(new String[] { "a", "1" }, true, true);
		small.add(new String[] { "b", "1" }, true, true);
		assertThatIllegalStateException().isThrownBy(() -> small.add(new String[] { "c", "1" }, true, true))
			.withMessageContaining("more than 2 distinct groups");
	}

	@Test
	void refusesRowsWithTheWrongNumberOfCellsAndBadAttributeLists() {
		FairnessTally tally = new FairnessTally(SEX_AGE);
		assertThatIllegalArgumentException().isThrownBy(() -> tally.add(new String[] { "Male" }, true, true))
			.withMessage("a row needs 2 sensitive cells, one per attribute, not 1");
		assertThatIllegalArgumentException().isThrownBy(() -> new FairnessTally(List.of()))
			.withMessageContaining("at least one sensitive attribute");
		SensitiveAttribute sex = new SensitiveAttribute("sex", null, null);
		assertThatIllegalArgumentException().isThrownBy(() -> new FairnessTally(List.of(sex, sex)))
			.withMessage("sensitive attribute 'sex' is listed more than once");
	}

}
