package dev.warden.worker.serving;

import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol's tensor data type names ({@code FP32}, {@code INT64},
 * {@code BYTES}, ...) for TensorFlow's dtypes. {@code DT_STRING} is {@code BYTES}: the
 * protocol's only variable-length type, sent in JSON as strings.
 */
final class V2Datatypes {

	/**
	 * Every name the protocol defines; anything else in a request is not a data type at
	 * all.
	 */
	static final Set<String> PROTOCOL_NAMES = Set.of("BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16",
			"INT32", "INT64", "FP16", "FP32", "FP64", "BYTES");

	private static final Map<String, String> BY_TF_DTYPE = Map.ofEntries(Map.entry("DT_BOOL", "BOOL"),
			Map.entry("DT_UINT8", "UINT8"), Map.entry("DT_UINT16", "UINT16"), Map.entry("DT_UINT32", "UINT32"),
			Map.entry("DT_UINT64", "UINT64"), Map.entry("DT_INT8", "INT8"), Map.entry("DT_INT16", "INT16"),
			Map.entry("DT_INT32", "INT32"), Map.entry("DT_INT64", "INT64"), Map.entry("DT_HALF", "FP16"),
			Map.entry("DT_FLOAT", "FP32"), Map.entry("DT_DOUBLE", "FP64"), Map.entry("DT_STRING", "BYTES"),
			// not in the protocol's table; the name Triton uses
			Map.entry("DT_BFLOAT16", "BF16"));

	private V2Datatypes() {
	}

	/**
	 * The protocol's name for a TensorFlow dtype such as {@code DT_FLOAT}; for a dtype
	 * the protocol has no name for (complex numbers, resources, ...) the TensorFlow name
	 * itself, so that metadata still says what it is.
	 */
	static String of(String tfDtype) {
		return BY_TF_DTYPE.getOrDefault(tfDtype, tfDtype);
	}

}
