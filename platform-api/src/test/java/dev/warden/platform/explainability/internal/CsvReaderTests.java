package dev.warden.platform.explainability.internal;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvReaderTests {

	@Test
	void readsQuotedFieldsEscapedQuotesLineBreaksAndBothLineEnds() throws IOException {
		List<List<String>> records = read("\uFEFFa,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n,,\n\nlast,1,2");

		assertThat(records).containsExactly(List.of("a", "b", "c"), List.of("x, y", "say \"hi\"", "two\nlines"),
				List.of("", "", ""), List.of("last", "1", "2"));
	}

	@Test
	void reportsTheLineARecordStartsOn() throws IOException {
		CsvReader reader = new CsvReader(new StringReader("h\n\"a\nb\"\nc\n"), 100);
		reader.next();
		reader.next();
		assertThat(reader.recordLine()).isEqualTo(2);
		reader.next();
		assertThat(reader.recordLine()).isEqualTo(4);
	}

	@Test
	void refusesMalformedAndOverlongRecords() {
		assertThatThrownBy(() -> read("a,\"b\n")).isInstanceOf(CsvReader.CsvException.class)
			.hasMessageContaining("not closed");
		assertThatThrownBy(() -> read("a,b\"c\n")).hasMessageContaining("double quote inside an unquoted field");
		assertThatThrownBy(() -> read("\"a\"b\n")).hasMessageContaining("after the closing double quote");
		assertThatThrownBy(() -> new CsvReader(new StringReader("x".repeat(101) + "\n"), 100).next())
			.hasMessageContaining("longer than 100 characters");
	}

	private static List<List<String>> read(String text) throws IOException {
		CsvReader reader = new CsvReader(new StringReader(text), 1000);
		List<List<String>> records = new ArrayList<>();
		List<String> record;
		while ((record = reader.next()) != null) {
			records.add(record);
		}
		return records;
	}

}
