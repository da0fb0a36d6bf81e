import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Writes single-instance request bodies for the explanation benchmark (bench/explain-http.sh), one JSON body per
 * line, from the first rows of a reference model's shipped validation split: {@code predict.jsonl} and one
 * {@code explain-METHOD.jsonl} per method (the same instances with {@code "parameters":{"method":…}}). Run as a
 * single-file program: java bench/ExplainBodies.java MODEL ROWS OUT_DIR METHOD...
 * (MODEL income or spam). Prints one line describing the rows it took.
 */
public class ExplainBodies {

	private static final Path ADULT = Path
		.of("inference-worker/src/main/resources/datasets/adult/adult_validation.csv");

	private static final Path SPAM = Path
		.of("inference-worker/src/main/resources/datasets/spamassassin/spamassassin_validation.csv.gz");

	/** The income model's raw input columns that are numbers; the others are strings. */
	private static final List<String> INCOME_NUMBERS = List.of("age", "fnlwgt", "education_num", "capital_gain",
			"capital_loss", "hours_per_week");

	private static final List<String> INCOME_INPUTS = List.of("age", "workclass", "fnlwgt", "education",
			"education_num", "marital_status", "occupation", "relationship", "race", "sex", "capital_gain",
			"capital_loss", "hours_per_week", "native_country");

	/** What the worker explains at most (warden.worker.explain: texts of at most 20,000 characters). */
	private static final int MAX_TEXT = 20_000;

	private ExplainBodies() {
	}

	public static void main(String[] args) throws IOException {
		String model = args[0];
		int rows = Integer.parseInt(args[1]);
		Path out = Path.of(args[2]);
		List<String> instances = new ArrayList<>();
		String described;
		if (model.equals("income")) {
			List<List<String>> records = read(ADULT, false);
			List<String> header = records.get(0);
			for (List<String> record : records.subList(1, records.size())) {
				if (instances.size() == rows) {
					break;
				}
				StringBuilder json = new StringBuilder("{");
				for (String column : INCOME_INPUTS) {
					String value = record.get(header.indexOf(column));
					json.append(json.length() > 1 ? "," : "").append(quote(column)).append(':');
					json.append(INCOME_NUMBERS.contains(column) ? value : quote(value));
				}
				instances.add(json.append('}').toString());
			}
			described = "first " + instances.size() + " rows of adult_validation";
		}
		else if (model.equals("spam")) {
			List<List<String>> records = read(SPAM, true);
			List<String> header = records.get(0);
			long chars = 0;
			for (List<String> record : records.subList(1, records.size())) {
				if (instances.size() == rows) {
					break;
				}
				String text = record.get(header.indexOf("subject")) + " " + record.get(header.indexOf("body"));
				if (text.length() <= MAX_TEXT) {
					instances.add("{\"text\":" + quote(text) + "}");
					chars += text.length();
				}
			}
			described = String.format(Locale.ROOT,
					"first %d texts of spamassassin_validation of at most %d characters (mean %d characters)",
					instances.size(), MAX_TEXT, instances.isEmpty() ? 0 : chars / instances.size());
		}
		else {
			throw new IllegalArgumentException("unknown model " + model + " (income or spam)");
		}
		Files.createDirectories(out);
		write(out.resolve("predict.jsonl"), instances, null);
		for (int i = 3; i < args.length; i++) {
			write(out.resolve("explain-" + args[i] + ".jsonl"), instances, args[i]);
		}
		System.out.println(described);
	}

	private static void write(Path file, List<String> instances, String method) throws IOException {
		StringBuilder lines = new StringBuilder();
		for (String instance : instances) {
			lines.append("{\"instances\":[").append(instance).append(']');
			if (method != null) {
				lines.append(",\"parameters\":{\"method\":").append(quote(method)).append('}');
			}
			lines.append("}\n");
		}
		Files.writeString(file, lines, StandardCharsets.UTF_8);
	}

	/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
	private static List<List<String>> read(Path file, boolean gzip) throws IOException {
		List<List<String>> records = new ArrayList<>();
		try (InputStream raw = Files.newInputStream(file);
				Reader in = new InputStreamReader(gzip ? new GZIPInputStream(raw) : raw, StandardCharsets.UTF_8)) {
			List<String> record = new ArrayList<>();
			StringBuilder field = new StringBuilder();
			boolean quoted = false;
			boolean any = false;
			int pending = -1;
			while (true) {
				int c = pending >= 0 ? pending : in.read();
				pending = -1;
				if (c == -1) {
					break;
				}
				any = true;
				if (quoted) {
					if (c != '"') {
						field.append((char) c);
						continue;
					}
					int next = in.read();
					if (next == '"') {
						field.append('"');
						continue;
					}
					quoted = false;
					pending = next;
				}
				else if (c == '"') {
					quoted = true;
				}
				else if (c == ',') {
					record.add(field.toString());
					field.setLength(0);
				}
				else if (c == '\n') {
					record.add(field.toString());
					field.setLength(0);
					records.add(record);
					record = new ArrayList<>();
					any = false;
				}
				else if (c != '\r') {
					field.append((char) c);
				}
			}
			if (any) {
				record.add(field.toString());
				records.add(record);
			}
		}
		return records;
	}

	private static String quote(String text) {
		StringBuilder json = new StringBuilder("\"");
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		return json.append('"').toString();
	}

}
