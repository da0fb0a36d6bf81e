package dev.warden.worker.serving;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.OutputColumn;

import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the answers of predict ({@code :predict}) and infer ({@code /v2/.../infer})
 * straight to the response with a {@link JsonGenerator}: the output columns are walked
 * once (numeric and boolean ones from their primitive arrays), with no intermediate maps
 * or lists, and the bytes are those Spring's JSON converter wrote for the same values
 * before (same field order, numbers written by the same {@code writeNumber} calls; a
 * value of another type is handed to the mapper as Spring's converter would).
 *
 * <p>
 * The generator neither flushes nor closes the servlet stream, so a small answer stays in
 * the container's buffer and goes out with a {@code Content-Length}.
 */
final class JsonAnswers {

	private static final JsonMapper JSON = JsonMapper.builder()
		.disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
		.disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
		.build();

	private JsonAnswers() {
	}

	/**
	 * A predict answer: {@code {"predictions": [...]}} (row format) or {@code {"outputs":
	 * ...}} (columnar), see {@link PredictionController#rowResponse} and
	 * {@link PredictionController#columnarResponse} for the shapes.
	 */
	static void writePredict(HttpServletResponse response, long version, PredictRequest.Format format,
			Map<String, OutputColumn> outputs) {
		start(response, version);
		try (JsonGenerator json = JSON.createGenerator(stream(response))) {
			writePredict(json, format, outputs);
		}
	}

	static void writePredict(JsonGenerator json, PredictRequest.Format format, Map<String, OutputColumn> outputs) {
		json.writeStartObject();
		if (format == PredictRequest.Format.ROW) {
			json.writeName("predictions");
			writeRows(json, outputs);
		}
		else {
			json.writeName("outputs");
			writeColumns(json, outputs);
		}
		json.writeEndObject();
	}

	private static void writeRows(JsonGenerator json, Map<String, OutputColumn> outputs) {
		OutputColumn first = outputs.values().iterator().next();
		int rows = first.rowCount();
		json.writeStartArray();
		if (outputs.size() == 1) {
			for (int r = 0; r < rows; r++) {
				writeRow(json, first, r);
			}
		}
		else {
			for (int r = 0; r < rows; r++) {
				json.writeStartObject();
				for (OutputColumn column : outputs.values()) {
					json.writeName(column.name());
					writeRow(json, column, r);
				}
				json.writeEndObject();
			}
		}
		json.writeEndArray();
	}

	private static void writeColumns(JsonGenerator json, Map<String, OutputColumn> outputs) {
		if (outputs.size() == 1) {
			writeColumn(json, outputs.values().iterator().next());
			return;
		}
		json.writeStartObject();
		for (OutputColumn column : outputs.values()) {
			json.writeName(column.name());
			writeColumn(json, column);
		}
		json.writeEndObject();
	}

	/** Every row of a column, as an array. */
	private static void writeColumn(JsonGenerator json, OutputColumn column) {
		if (column.flatValues() == null) {
			writeValue(json, column.rows());
			return;
		}
		json.writeStartArray();
		for (int r = 0, rows = column.rowCount(); r < rows; r++) {
			writeRow(json, column, r);
		}
		json.writeEndArray();
	}

	/**
	 * Row {@code r} of a column: a value, or nested arrays for an output of rank &gt; 1
	 * (written from the primitive array when the column has one).
	 */
	private static void writeRow(JsonGenerator json, OutputColumn column, int r) {
		Object flat = column.flatValues();
		if (flat == null) {
			writeValue(json, column.rows().get(r));
			return;
		}
		long[] shape = column.shape();
		if (shape.length == 0) {
			writeElement(json, flat, r);
			return;
		}
		int rowSize = 1;
		for (int axis = 1; axis < shape.length; axis++) {
			rowSize *= (int) shape[axis];
		}
		if (r < 0 || r >= shape[0]) {
			throw new IndexOutOfBoundsException("row " + r + " of output " + column.name());
		}
		writeNested(json, flat, shape, 1, r * rowSize);
	}

	private static int writeNested(JsonGenerator json, Object flat, long[] shape, int axis, int offset) {
		if (axis == shape.length) {
			writeElement(json, flat, offset);
			return offset + 1;
		}
		json.writeStartArray();
		int next = offset;
		for (long i = 0; i < shape[axis]; i++) {
			next = writeNested(json, flat, shape, axis + 1, next);
		}
		json.writeEndArray();
		return next;
	}

	/** Element {@code i} of a primitive output array, as its boxed value was written. */
	private static void writeElement(JsonGenerator json, Object flat, int i) {
		if (flat instanceof float[] floats) {
			json.writeNumber(floats[i]);
		}
		else if (flat instanceof long[] longs) {
			json.writeNumber(longs[i]);
		}
		else if (flat instanceof int[] ints) {
			json.writeNumber(ints[i]);
		}
		else if (flat instanceof double[] doubles) {
			json.writeNumber(doubles[i]);
		}
		else {
			json.writeBoolean(((boolean[]) flat)[i]);
		}
	}

	/**
	 * An infer answer: {@code {"model_name", "model_version", "id"?, "outputs": [{"name",
	 * "datatype", "shape", "data"}]}}, the data in row-major order.
	 */
	static void writeInfer(HttpServletResponse response, String model, long version, V2Request request,
			Map<String, OutputColumn> outputs) {
		start(response, version);
		try (JsonGenerator json = JSON.createGenerator(stream(response))) {
			writeInfer(json, model, version, request, outputs);
		}
	}

	static void writeInfer(JsonGenerator json, String model, long version, V2Request request,
			Map<String, OutputColumn> outputs) {
		json.writeStartObject();
		json.writeStringProperty("model_name", model);
		json.writeStringProperty("model_version", Long.toString(version));
		if (request.id() != null) {
			json.writeStringProperty("id", request.id());
		}
		json.writeName("outputs");
		json.writeStartArray();
		for (String name : request.outputs()) {
			OutputColumn column = outputs.get(name);
			json.writeStartObject();
			json.writeStringProperty("name", name);
			json.writeStringProperty("datatype", V2Datatypes.of(request.signature().outputs().get(name).dtype()));
			json.writeName("shape");
			json.writeArray(column.shape(), 0, column.shape().length);
			json.writeName("data");
			json.writeStartArray();
			Object flat = column.flatValues();
			if (flat != null) {
				for (int i = 0, length = java.lang.reflect.Array.getLength(flat); i < length; i++) {
					writeElement(json, flat, i);
				}
			}
			else {
				writeFlat(json, column.rows());
			}
			json.writeEndArray();
			json.writeEndObject();
		}
		json.writeEndArray();
		json.writeEndObject();
	}

	private static void writeFlat(JsonGenerator json, List<?> values) {
		for (Object value : values) {
			if (value instanceof List<?> nested) {
				writeFlat(json, nested);
			}
			else {
				writeValue(json, value);
			}
		}
	}

	/**
	 * One value of an output: the boxed scalars TensorFlow's outputs are copied into, or
	 * nested lists of them.
	 */
	static void writeValue(JsonGenerator json, Object value) {
		if (value instanceof Float number) {
			json.writeNumber(number.floatValue());
		}
		else if (value instanceof Long number) {
			json.writeNumber(number.longValue());
		}
		else if (value instanceof Integer number) {
			json.writeNumber(number.intValue());
		}
		else if (value instanceof Double number) {
			json.writeNumber(number.doubleValue());
		}
		else if (value instanceof String text) {
			json.writeString(text);
		}
		else if (value instanceof Boolean flag) {
			json.writeBoolean(flag);
		}
		else if (value instanceof List<?> list) {
			json.writeStartArray();
			for (Object element : list) {
				writeValue(json, element);
			}
			json.writeEndArray();
		}
		else {
			json.writePOJO(value);
		}
	}

	private static void start(HttpServletResponse response, long version) {
		response.setStatus(HttpServletResponse.SC_OK);
		response.setContentType("application/json");
		response.setHeader(PredictionController.MODEL_VERSION_HEADER, Long.toString(version));
	}

	private static OutputStream stream(HttpServletResponse response) {
		try {
			return response.getOutputStream();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
