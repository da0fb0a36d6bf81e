package dev.warden.worker.training;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.util.zip.GZIPInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * One split of the SpamAssassin data set as the model sees it: the text
 * {@code subject + " " + body} and the label (1 = spam, 0 = ham). The columns {@code id}
 * and {@code group} are deliberately not read: {@code group} gives the label away and
 * {@code id} contains it.
 */
record SpamDataset(String[] texts, int[] labels) {

	static final String TRAIN_RESOURCE = "datasets/spamassassin/spamassassin_train.csv.gz";

	static final String VALIDATION_RESOURCE = "datasets/spamassassin/spamassassin_validation.csv.gz";

	static SpamDataset train() {
		return fromClasspath(TRAIN_RESOURCE);
	}

	static SpamDataset validation() {
		return fromClasspath(VALIDATION_RESOURCE);
	}

	int size() {
		return texts.length;
	}

	static SpamDataset fromClasspath(String resource) {
		try (InputStream in = SpamDataset.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("data set resource not found: " + resource);
			}
			// gzip-compressed in the repository (the raw mails are 8.7 MB of text)
			return read(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + resource, ex);
		}
	}

	static SpamDataset read(Reader reader) throws IOException {
		CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();
		List<String> texts = new ArrayList<>();
		List<Integer> labels = new ArrayList<>();
		try (CSVParser parser = CSVParser.parse(reader, format)) {
			for (CSVRecord record : parser) {
				texts.add(text(record.get("subject"), record.get("body")));
				labels.add(label(record.get("label")));
			}
		}
		return new SpamDataset(texts.toArray(String[]::new), labels.stream().mapToInt(Integer::intValue).toArray());
	}

	/** The model input for a mail: subject and body joined by a space. */
	static String text(String subject, String body) {
		return subject + " " + body;
	}

	private static int label(String label) {
		return switch (label) {
			case "spam" -> 1;
			case "ham" -> 0;
			default -> throw new IllegalArgumentException("unknown label '" + label + "' (expected spam or ham)");
		};
	}

}
