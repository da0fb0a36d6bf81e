package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SensitiveAttributeTests {

	private final SensitiveAttribute age = new SensitiveAttribute("age", "25 to <60", List.of(25.0, 60.0));

	@Test
	void aValueIsItsTrimmedSelf() {
		SensitiveAttribute sex = new SensitiveAttribute("sex", " Male ", null);
		assertThat(sex.reference()).isEqualTo("Male");
		assertThat(sex.group("  Female ")).isEqualTo("Female");
		assertThat(sex.group("")).isEqualTo("(missing)");
		assertThat(sex.group("   ")).isEqualTo("(missing)");
		assertThat(sex.group(null)).isEqualTo("(missing)");
		assertThat(sex.group("12")).isEqualTo("12");
	}

	@Test
	void aNumberIsItsBand() {
		assertThat(this.age.group("18")).isEqualTo("<25");
		assertThat(this.age.group("24.999")).isEqualTo("<25");
		assertThat(this.age.group("25")).isEqualTo("25 to <60");
		assertThat(this.age.group(" 59.5 ")).isEqualTo("25 to <60");
		assertThat(this.age.group("60")).isEqualTo(">=60");
		assertThat(this.age.group("6e1")).isEqualTo(">=60");
		assertThat(this.age.group("-3")).isEqualTo("<25");
		assertThat(this.age.bandLabels()).containsExactly("<25", "25 to <60", ">=60");
	}

	@Test
	void aCellThatIsNotAFiniteNumberIsNotANumberAndAnEmptyCellIsMissing() {
		for (String cell : new String[] { "unknown", "NaN", "Infinity", "-Infinity", "1e999", "0x10", "12f", "1,5" }) {
			assertThat(this.age.group(cell)).as(cell).isEqualTo("(not a number)");
		}
		assertThat(this.age.group("")).isEqualTo("(missing)");
	}

	@Test
	void bandLabelsWriteIntegersWithoutDecimals() {
		SensitiveAttribute income = new SensitiveAttribute("income", null, List.of(0.5, 1e6, 2.0e7));
		assertThat(income.bandLabels()).containsExactly("<0.5", "0.5 to <1000000", "1000000 to <20000000",
				">=20000000");
		SensitiveAttribute single = new SensitiveAttribute("x", null, List.of(-0.0));
		assertThat(single.bandLabels()).containsExactly("<0", ">=0");
	}

	@Test
	void groupsAreOrderedByBandThenCharactersWithMissingLast() {
		List<String> groups = new ArrayList<>(Arrays.asList("(missing)", ">=60", "(not a number)", "<25", "25 to <60"));
		groups.sort(this.age.groupOrder());
		assertThat(groups).containsExactly("<25", "25 to <60", ">=60", "(not a number)", "(missing)");
		SensitiveAttribute race = new SensitiveAttribute("race", null, null);
		List<String> races = new ArrayList<>(Arrays.asList("White", "(missing)", "Black", "Asian"));
		races.sort(race.groupOrder());
		assertThat(races).containsExactly("Asian", "Black", "White", "(missing)");
	}

	@Test
	void validationSaysWhatToChange() {
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute(" ", null, null))
			.withMessage("a sensitive attribute needs the name of its column");
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute("age", null, List.of()))
			.withMessage("sensitive attribute 'age' has an empty list of bands: give at least one cut point, "
					+ "or leave bands out");
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute("age", null, List.of(60.0, 25.0)))
			.withMessage("the bands of sensitive attribute 'age' must be strictly ascending: 25 follows 60");
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute("age", null, List.of(25.0, 25.0)))
			.withMessageContaining("strictly ascending");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SensitiveAttribute("age", null, List.of(25.0, Double.POSITIVE_INFINITY)))
			.withMessage("band 2 of sensitive attribute 'age' is not a finite number (Infinity)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new SensitiveAttribute("age", null, Arrays.asList(25.0, null)))
			.withMessageContaining("band 2");
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute("age", "30", List.of(25.0, 60.0)))
			.withMessage("the reference group '30' of sensitive attribute 'age' is not one of its bands "
					+ "[<25, 25 to <60, >=60]");
		assertThatIllegalArgumentException().isThrownBy(() -> new SensitiveAttribute("sex", "  ", null))
			.withMessageContaining("leave it out to compare with the largest group");
	}

}
