package dev.warden.platform.model.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.warden.platform.system.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SavedModelArchiveTests {

	@ParameterizedTest
	@CsvSource({ "saved_model.pb,saved_model.pb", "./saved_model.pb,saved_model.pb", "variables/,variables",
			"./variables//variables.index,variables/variables.index", "a/./b,a/b", "x..y/z,x..y/z" })
	void harmlessNamesAreNormalised(String name, String expected) {
		assertThat(SavedModelArchive.safeRelativePath(name)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "./", ".", ".//" })
	void theRootItselfIsSkipped(String name) {
		assertThat(SavedModelArchive.safeRelativePath(name)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "../x", "a/../../x", "a/..", "..", "/etc/passwd", "//server/share", "C:/x", "c:x", "a\\b",
			"a\u0000b" })
	void unsafeNamesAreRefused(String name) {
		assertThatThrownBy(() -> SavedModelArchive.safeRelativePath(name)).isInstanceOfSatisfying(ApiException.class,
				(ex) -> assertThat(ex.code()).isEqualTo("unsafe_archive"));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1 })
	void emptyOrOverlongNamesAreInvalid(int kind) {
		String name = (kind == 0) ? "" : "a".repeat(1025);
		assertThatThrownBy(() -> SavedModelArchive.safeRelativePath(name)).isInstanceOfSatisfying(ApiException.class,
				(ex) -> assertThat(ex.code()).isEqualTo("invalid_archive"));
	}

}
