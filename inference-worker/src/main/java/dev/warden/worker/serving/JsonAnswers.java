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
 * once, with no intermediate maps or lists, and the bytes are those Spring's JSON
 * converter wrote for the same values before (same field order, numbers written by the
 * same {@code writeNumber} calls; a value of another type is handed to the mapper as
 * Spring's converter would).
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
		int rows = first.rows().size();
		json.writeStartArray();
		if (outputs.size() == 1) {
			for (Object value : first.rows()) {
				writeValue(json, value);
			}
		}
		else {
			for (int r = 0; r < rows; r++) {
				json.writeStartObject();
				for (OutputColumn column : outputs.values()) {
					json.writeName(column.name());
					writeValue(json, column.rows().get(r));
				}
				json.writeEndObject();
			}
		}
		json.writeEndArray();
	}

	private static void writeColumns(JsonGenerator json, Map<String, OutputColumn> outputs) {
		if (outputs.size() == 1) {
			writeValue(json, outputs.values().iterator().next().rows());
			return;
		}
		json.writeStartObject();
		for (OutputColumn column : outputs.values()) {
			json.writeName(column.name());
			writeValue(json, column.rows());
		}
		json.writeEndObject();
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
			writeFlat(json, column.rows());
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
