package dev.warden.worker.loader;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.protobuf.ByteString;

import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * The {@code tf.Example} features a model parses from one string input, as read from its
 * graph's {@code ParseExample} / {@code ParseExampleV2} / {@code ParseSingleExample} ops
 * (see {@link ExampleParsing}). Used to build a valid warm-up example and to check and
 * convert the features of classify and regress requests before TensorFlow sees them.
 *
 * @param features by name, in the order the graph declares them
 */
public record ExampleSchema(Map<String, FeatureSpec> features) {

	public ExampleSchema {
		features = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(features));
	}

	/**
	 * An example with every dense feature of the schema filled with neutral values (0, or
	 * the text {@code "0"} for bytes), one value per element of its declared shape (a
	 * variable dimension counts as 1). Sparse and ragged features are optional and left
	 * out.
	 * @throws ArithmeticException if a declared shape has more elements than an int can
	 * count
	 */
	public Example neutralExample() {
		Features.Builder features = Features.newBuilder();
		for (FeatureSpec spec : this.features.values()) {
			if (!spec.dense()) {
				continue;
			}
			int count = 1;
			for (long dim : spec.shape()) {
				count = Math.multiplyExact(count, Math.toIntExact(Math.max(dim, 1)));
			}
			Feature.Builder feature = Feature.newBuilder();
			switch (spec.kind()) {
				case FLOAT -> {
					FloatList.Builder values = FloatList.newBuilder();
					for (int i = 0; i < count; i++) {
						values.addValue(0f);
					}
					feature.setFloatList(values);
				}
				case INT64 -> {
					Int64List.Builder values = Int64List.newBuilder();
					for (int i = 0; i < count; i++) {
						values.addValue(0L);
					}
					feature.setInt64List(values);
				}
				case BYTES -> {
					BytesList.Builder values = BytesList.newBuilder();
					for (int i = 0; i < count; i++) {
						values.addValue(ByteString.copyFromUtf8("0"));
					}
					feature.setBytesList(values);
				}
			}
			features.putFeature(spec.name(), feature.build());
		}
		return Example.newBuilder().setFeatures(features).build();
	}

	/**
	 * Merges two schemas of one input (several parse ops read it): the first declaration
	 * of a name wins.
	 */
	ExampleSchema merge(ExampleSchema other) {
		Map<String, FeatureSpec> merged = new LinkedHashMap<>(this.features);
		other.features
			.forEach((name, spec) -> merged.merge(name, spec, (mine, theirs) -> (theirs.required() && !mine.required())
					? new FeatureSpec(name, mine.kind(), mine.shape(), true) : mine));
		return new ExampleSchema(merged);
	}

	/** The value type of a feature ({@code tf.train.Feature}'s three lists). */
	public enum Kind {

		/** {@code float_list} (parsed as DT_FLOAT). */
		FLOAT,
		/** {@code int64_list} (parsed as DT_INT64). */
		INT64,
		/** {@code bytes_list} (parsed as DT_STRING). */
		BYTES;

		static Kind of(String dtype) {
			return switch (dtype) {
				case "DT_FLOAT" -> FLOAT;
				case "DT_INT64" -> INT64;
				case "DT_STRING" -> BYTES;
				default -> null;
			};
		}

		/** The name TensorFlow's messages use: float, int64, bytes. */
		public String label() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * One feature the model parses.
	 *
	 * @param name the feature's key in the example
	 * @param kind its value type
	 * @param shape for a dense feature, its shape per example ({@code []} for one value,
	 * {@code [3]} for three; a leading -1 for a variable-length feature); {@code null}
	 * for a sparse or ragged feature
	 * @param required true for a dense feature without a default: an example must carry
	 * it
	 */
	public record FeatureSpec(String name, Kind kind, long[] shape, boolean required) {

		public boolean dense() {
			return shape != null;
		}

		/**
		 * The number of values an example must give, or -1 when any multiple of
		 * {@link #valuesPerStep()} is right (a variable-length dense feature) or any
		 * number at all (sparse and ragged features).
		 */
		public long fixedValueCount() {
			if (shape == null || Arrays.stream(shape).anyMatch(dim -> dim < 0)) {
				return -1;
			}
			return Arrays.stream(shape).reduce(1, Math::multiplyExact);
		}

		/**
		 * Values per step of a variable-length dense feature: the product of its inner
		 * dimensions.
		 */
		public long valuesPerStep() {
			if (shape == null || shape.length == 0) {
				return 1;
			}
			return Arrays.stream(shape, 1, shape.length).map(dim -> Math.max(dim, 1)).reduce(1, Math::multiplyExact);
		}

		/** As messages show it, e.g. {@code float [1]} or {@code int64 (sparse)}. */
		public String describe() {
			return kind.label() + (shape == null ? " (sparse)" : " " + Arrays.toString(shape).replace(" ", ""));
		}

		@Override
		public boolean equals(Object o) {
			return o instanceof FeatureSpec other && name.equals(other.name) && kind == other.kind
					&& Arrays.equals(shape, other.shape) && required == other.required;
		}

		@Override
		public int hashCode() {
			return name.hashCode() * 31 + kind.hashCode();
		}

		@Override
		public String toString() {
			return name + ": " + describe() + (required ? ", required" : "");
		}

	}

}
