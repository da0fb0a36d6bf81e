package dev.warden.worker.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** One split of the Adult data set, held column by column as the model's raw inputs. */
record AdultDataset(int size, Map<String, float[]> numeric, Map<String, String[]> categorical, int[] labels) {

	static final String TRAIN_RESOURCE = "datasets/adult/adult_train.csv";

	static final String VALIDATION_RESOURCE = "datasets/adult/adult_validation.csv";

	static AdultDataset train() {
		return fromClasspath(TRAIN_RESOURCE);
	}

	static AdultDataset validation() {
		return fromClasspath(VALIDATION_RESOURCE);
	}

	static AdultDataset fromClasspath(String resource) {
		try (InputStream in = AdultDataset.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("data set resource not found: " + resource);
			}
			return read(new InputStreamReader(in, StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + resource, ex);
		}
	}

	static AdultDataset read(Reader reader) throws IOException {
		CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
		List<CSVRecord> records = new ArrayList<>();
		try (CSVParser parser = CSVParser.parse(reader, format)) {
			parser.forEach(records::add);
		}
		int n = records.size();
		Map<String, float[]> numeric = new LinkedHashMap<>();
		IncomeSchema.NUMERIC_COLUMNS.forEach(c -> numeric.put(c, new float[n]));
		Map<String, String[]> categorical = new LinkedHashMap<>();
		IncomeSchema.CATEGORICAL_COLUMNS.forEach(c -> categorical.put(c, new String[n]));
		int[] labels = new int[n];
		for (int i = 0; i < n; i++) {
			CSVRecord record = records.get(i);
			for (var column : numeric.entrySet()) {
				column.getValue()[i] = Float.parseFloat(record.get(column.getKey()));
			}
			for (var column : categorical.entrySet()) {
				column.getValue()[i] = record.get(column.getKey());
			}
			labels[i] = Integer.parseInt(record.get("label"));
		}
		return new AdultDataset(n, numeric, categorical, labels);
	}

	/** The rows at the given positions, in that order. */
	AdultDataset rows(int[] positions) {
		Map<String, float[]> num = new LinkedHashMap<>();
		numeric.forEach((name, values) -> {
			float[] picked = new float[positions.length];
			for (int i = 0; i < positions.length; i++) {
				picked[i] = values[positions[i]];
			}
			num.put(name, picked);
		});
		Map<String, String[]> cat = new LinkedHashMap<>();
		categorical.forEach((name, values) -> {
			String[] picked = new String[positions.length];
			for (int i = 0; i < positions.length; i++) {
				picked[i] = values[positions[i]];
			}
			cat.put(name, picked);
		});
		int[] lab = new int[positions.length];
		for (int i = 0; i < positions.length; i++) {
			lab[i] = labels[positions[i]];
		}
		return new AdultDataset(positions.length, num, cat, lab);
	}

}
