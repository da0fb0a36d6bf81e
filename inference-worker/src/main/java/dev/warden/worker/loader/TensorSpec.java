package dev.warden.worker.loader;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An input or output of a signature, as declared in the SavedModel.
 *
 * @param name the signature's key for it (e.g. {@code age})
 * @param dtype TensorFlow data type name, e.g. {@code DT_FLOAT}
 * @param dims dimension sizes, -1 where unknown; {@code null} when the rank is unknown
 * @param tensorName the graph tensor it is bound to, e.g. {@code age:0}
 */
public record TensorSpec(String name, String dtype, long[] dims, String tensorName) {

	/**
	 * The kind of JSON value that encodes one element, or {@code null} if the worker
	 * cannot feed this type.
	 */
	public ElementKind elementKind() {
		return ElementKind.of(dtype);
	}

	public boolean unknownRank() {
		return dims == null;
	}

	/** Shape as TF Serving error messages show it, e.g. {@code [-1]}. */
	public String shapeText() {
		return dims == null ? "unknown"
				: Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof TensorSpec other && name.equals(other.name) && dtype.equals(other.dtype)
				&& Arrays.equals(dims, other.dims) && tensorName.equals(other.tensorName);
	}

	@Override
	public int hashCode() {
		return 31 * name.hashCode() + Arrays.hashCode(dims);
	}

	@Override
	public String toString() {
		return name + " (" + dtype + ", shape " + shapeText() + ")";
	}

	/** How one element of a tensor is represented in Java and JSON. */
	public enum ElementKind {

		/** DT_FLOAT, DT_HALF, DT_BFLOAT16: a finite JSON number, fed as float. */
		FLOAT,
		/** DT_DOUBLE: a finite JSON number. */
		DOUBLE,
		/** DT_INT8/16/32, DT_UINT8/16: an integral JSON number within int range. */
		INT32,
		/** DT_INT64: an integral JSON number within long range. */
		INT64,
		/** DT_STRING: a JSON string. */
		STRING,
		/** DT_BOOL: a JSON boolean. */
		BOOL;

		static ElementKind of(String dtype) {
			return switch (dtype) {
				case "DT_FLOAT" -> FLOAT;
				case "DT_DOUBLE" -> DOUBLE;
				case "DT_INT32" -> INT32;
				case "DT_INT64" -> INT64;
				case "DT_STRING" -> STRING;
				case "DT_BOOL" -> BOOL;
				default -> null;
			};
		}

	}

}
