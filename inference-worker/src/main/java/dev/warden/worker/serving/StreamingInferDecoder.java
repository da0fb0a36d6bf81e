package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.serving.StreamingPredictDecoder.ColumnBuilder;
import dev.warden.worker.serving.StreamingPredictDecoder.GiveUp;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The fast path of {@link V2RequestParser}: decodes an Open Inference Protocol infer body
 * with Jackson's streaming parser, each tensor's {@code data} straight into a primitive
 * array checked against the signature as it is read. As {@link StreamingPredictDecoder}
 * does for TF Serving's formats, it accepts only what the tree path accepts and gives the
 * same request; anything else (an error of any kind, {@code data} in its nested form, a
 * tensor whose {@code name} comes after its {@code data}, an input of unknown rank, a
 * {@code signature_name} parameter after the inputs that names another signature, ...) is
 * parsed again by the tree path, which phrases the error.
 */
final class StreamingInferDecoder {

	private final JsonParser parser;

	private final Map<String, SignatureSpec> signatures;

	private StreamingInferDecoder(JsonParser parser, Map<String, SignatureSpec> signatures) {
		this.parser = parser;
		this.signatures = signatures;
	}

	/** The request, or {@code null} when the body has to go through the tree path. */
	static V2Request tryDecode(byte[] body, Map<String, SignatureSpec> signatures) {
		if (body == null || body.length == 0) {
			return null;
		}
		try (JsonParser parser = PredictRequestParser.JSON.createParser(body)) {
			return new StreamingInferDecoder(parser, signatures).request();
		}
		catch (RuntimeException ex) {
			// GiveUp, invalid JSON, a shape the signature refuses, ...: the tree path
			// decides
			return null;
		}
	}

	private V2Request request() {
		if (parser.nextToken() != JsonToken.START_OBJECT) {
			throw GiveUp.INSTANCE;
		}
		String id = null;
		String key = PredictRequestParser.DEFAULT_SIGNATURE;
		SignatureSpec used = null;
		Map<String, InputColumn> inputs = null;
		List<String> requested = null;
		JsonToken token;
		while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (field) {
				case "id" -> {
					if (value == JsonToken.VALUE_STRING) {
						id = parser.getString();
					}
					else if (value != JsonToken.VALUE_NULL) {
						throw GiveUp.INSTANCE;
					}
				}
				case "parameters" -> {
					String name = parameters(true);
					if (name != null) {
						key = name.isEmpty() ? PredictRequestParser.DEFAULT_SIGNATURE : name;
					}
				}
				case "inputs" -> {
					used = signatures.get(key);
					if (used == null) {
						throw GiveUp.INSTANCE;
					}
					inputs = inputs(used);
				}
				case "outputs" -> requested = outputs();
				default -> throw GiveUp.INSTANCE;
			}
		}
		if (token != JsonToken.END_OBJECT || parser.nextToken() != null || inputs == null) {
			throw GiveUp.INSTANCE;
		}
		// parameters after the inputs must name the signature the inputs were read for
		if (signatures.get(key) != used) {
			throw GiveUp.INSTANCE;
		}
		List<String> outputs = new ArrayList<>(used.outputs().keySet());
		if (requested != null && !requested.isEmpty()) {
			for (String name : requested) {
				if (!used.outputs().containsKey(name)) {
					throw GiveUp.INSTANCE;
				}
			}
			outputs = requested;
		}
		return new V2Request(id, used, inputs, outputs);
	}

	/**
	 * {@code parameters}: null or an object of strings, numbers and booleans; the value
	 * of {@code signature_name} if {@code signature} and it is given (a string), else
	 * null.
	 */
	private String parameters(boolean signature) {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token != JsonToken.START_OBJECT) {
			throw GiveUp.INSTANCE;
		}
		String name = null;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String parameter = parser.currentName();
			JsonToken value = parser.nextToken();
			if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT
					&& value != JsonToken.VALUE_NUMBER_FLOAT && value != JsonToken.VALUE_TRUE
					&& value != JsonToken.VALUE_FALSE) {
				throw GiveUp.INSTANCE;
			}
			if (signature && parameter.equals("signature_name")) {
				// a signature_name that is not a string is the tree path's error to
				// phrase
				if (value != JsonToken.VALUE_STRING) {
					throw GiveUp.INSTANCE;
				}
				name = parser.getString();
			}
		}
		return name;
	}

	private Map<String, InputColumn> inputs(SignatureSpec signature) {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw GiveUp.INSTANCE;
		}
		Map<String, InputColumn> given = new LinkedHashMap<>();
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			if (parser.currentToken() != JsonToken.START_OBJECT) {
				throw GiveUp.INSTANCE;
			}
			TensorSpec spec = null;
			ColumnBuilder builder = null;
			long[] shape = null;
			String datatype = null;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (field) {
					case "name" -> {
						if (value != JsonToken.VALUE_STRING) {
							throw GiveUp.INSTANCE;
						}
						spec = signature.inputs().get(parser.getString());
						if (spec == null || given.containsKey(spec.name())) {
							throw GiveUp.INSTANCE;
						}
					}
					case "datatype" -> {
						if (value != JsonToken.VALUE_STRING) {
							throw GiveUp.INSTANCE;
						}
						datatype = parser.getString();
					}
					case "shape" -> shape = shape();
					case "data" -> {
						if (spec == null) {
							throw GiveUp.INSTANCE;
						}
						builder = new ColumnBuilder(spec, parser);
						builder.flat();
					}
					case "parameters" -> parameters(false);
					default -> throw GiveUp.INSTANCE;
				}
			}
			if (spec == null || builder == null || shape == null || datatype == null
					|| !datatype.equals(V2Datatypes.of(spec.dtype()))) {
				throw GiveUp.INSTANCE;
			}
			given.put(spec.name(), builder.tensor(shape));
		}
		if (given.size() != signature.inputs().size()) {
			throw GiveUp.INSTANCE;
		}
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		int rows = -1;
		for (String name : signature.inputs().keySet()) {
			InputColumn column = given.get(name);
			if (rows >= 0 && column.rows() != rows) {
				throw GiveUp.INSTANCE;
			}
			rows = column.rows();
			columns.put(name, column);
		}
		return columns;
	}

	/** A declared shape: non-negative integers that fit a long. */
	private long[] shape() {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw GiveUp.INSTANCE;
		}
		long[] sizes = new long[4];
		int rank = 0;
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
				throw GiveUp.INSTANCE;
			}
			JsonParser.NumberType type = parser.getNumberType();
			if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
				throw GiveUp.INSTANCE;
			}
			long size = parser.getLongValue();
			if (size < 0) {
				throw GiveUp.INSTANCE;
			}
			if (rank == sizes.length) {
				sizes = Arrays.copyOf(sizes, rank * 2);
			}
			sizes[rank++] = size;
		}
		return Arrays.copyOf(sizes, rank);
	}

	/** {@code outputs}: null, or an array of {@code {name, parameters?}}, names once. */
	private List<String> outputs() {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token != JsonToken.START_ARRAY) {
			throw GiveUp.INSTANCE;
		}
		List<String> names = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			if (parser.currentToken() != JsonToken.START_OBJECT) {
				throw GiveUp.INSTANCE;
			}
			String name = null;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				if (field.equals("name") && value == JsonToken.VALUE_STRING) {
					name = parser.getString();
				}
				else if (field.equals("parameters")) {
					parameters(false);
				}
				else {
					throw GiveUp.INSTANCE;
				}
			}
			if (name == null || !seen.add(name)) {
				throw GiveUp.INSTANCE;
			}
			names.add(name);
		}
		return names;
	}

}
