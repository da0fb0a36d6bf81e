package dev.warden.worker.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.training.IncomeModelTrainer;

/**
 * Small real income models (trained once per JVM) and random valid inputs for them; the
 * store is shared with other test packages (explanations).
 */
public final class IncomeFixture {

	private static final String[] WORDS = { "Private", "State-gov", "Bachelors", "HS-grad", "Married-civ-spouse",
			"Never-married", "Exec-managerial", "Adm-clerical", "Husband", "Wife", "White", "Black", "Male", "Female",
			"United-States", "", "Mexico" };

	private static Path store;

	private IncomeFixture() {
	}

	/**
	 * A store with income versions 1 and 2, trained with different seeds (so their
	 * answers differ).
	 */
	public static synchronized Path store() {
		if (store == null) {
			try {
				store = Files.createTempDirectory("batching-store");
				IncomeModelTrainer trainer = new IncomeModelTrainer();
				trainer.trainAndExport(store, new IncomeModelTrainer.Options(120, 7));
				trainer.trainAndExport(store, new IncomeModelTrainer.Options(60, 99));
				Runtime.getRuntime().addShutdownHook(new Thread(IncomeFixture::delete));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return store;
	}

	private static void delete() {
		try (Stream<Path> paths = Files.walk(store)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ex) {
			// best effort at JVM exit
		}
	}

	/** {@code rows} random but valid rows for every input of the signature. */
	static Map<String, InputColumn> randomInputs(SignatureSpec signature, int rows, Random random) {
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		for (TensorSpec spec : signature.inputs().values()) {
			Object values;
			if (spec.elementKind() == TensorSpec.ElementKind.STRING) {
				String[] strings = new String[rows];
				for (int i = 0; i < rows; i++) {
					strings[i] = WORDS[random.nextInt(WORDS.length)];
				}
				values = strings;
			}
			else {
				float[] floats = new float[rows];
				for (int i = 0; i < rows; i++) {
					floats[i] = random.nextInt(100_000) / (random.nextBoolean() ? 1f : 1000f);
				}
				values = floats;
			}
			inputs.put(spec.name(), new InputColumn(spec, new long[] { rows }, values));
		}
		return inputs;
	}

	/**
	 * Equal outputs, row by row (floats within a tiny tolerance: batch sizes may change
	 * summation order).
	 */
	static void assertSameOutputs(Map<String, OutputColumn> actual, Map<String, OutputColumn> expected) {
		assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
		for (String name : expected.keySet()) {
			List<Object> got = actual.get(name).rows();
			List<Object> want = expected.get(name).rows();
			assertThat(got).as(name).hasSameSizeAs(want);
			assertThat(actual.get(name).shape()).as(name).isEqualTo(expected.get(name).shape());
			for (int r = 0; r < want.size(); r++) {
				assertClose(name + "[" + r + "]", got.get(r), want.get(r));
			}
		}
	}

	private static void assertClose(String where, Object got, Object want) {
		if (want instanceof Float f) {
			assertThat((Float) got).as(where).isCloseTo(f, within(1e-5f));
		}
		else if (want instanceof List<?> list) {
			assertThat(got).as(where).isInstanceOf(List.class);
			List<?> gotList = (List<?>) got;
			assertThat(gotList).as(where).hasSameSizeAs(list);
			for (int i = 0; i < list.size(); i++) {
				assertClose(where + "[" + i + "]", gotList.get(i), list.get(i));
			}
		}
		else {
			assertThat(got).as(where).isEqualTo(want);
		}
	}

}
