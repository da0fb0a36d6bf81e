package dev.warden.platform.feedback.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.warden.platform.feedback.internal.FeedbackParser.InvalidFeedback;
import dev.warden.platform.feedback.internal.FeedbackParser.Outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedbackParserTests {

	private static List<Outcome> parse(String json) {
		return FeedbackParser.parse(json.getBytes(StandardCharsets.UTF_8));
	}

	private static void refused(String json, String... message) {
		assertThatThrownBy(() -> parse(json)).as(json)
			.isInstanceOf(InvalidFeedback.class)
			.hasMessageContaining(message[0]);
		for (String part : message) {
			assertThatThrownBy(() -> parse(json)).as(json).hasMessageContaining(part);
		}
	}

	@Test
	void labelsLabelAndAttributesPerOutcomeOrPerRow() {
		List<Outcome> outcomes = parse("""
				{"outcomes": [
				  {"request_id": "a-1", "labels": [1, 0], "attributes": [{"sex": " Female "}, {"sex": "Male"}]},
				  {"request_id": "b.2", "label": 0, "attributes": {"sex": "Male", "age_band": "30-39"}},
				  {"request_id": "c_3", "labels": [2]}]}""");
		assertThat(outcomes).hasSize(3);
		assertThat(outcomes.get(0).labels()).containsExactly(1, 0);
		assertThat(outcomes.get(0).attributes()).containsExactly(Map.of("sex", "Female"), Map.of("sex", "Male"));
		assertThat(outcomes.get(1).labels()).containsExactly(0);
		assertThat(outcomes.get(1).attributes()).containsExactly(Map.of("sex", "Male", "age_band", "30-39"));
		assertThat(outcomes.get(2).attributes()).isNull();
	}

	@Test
	void everyMistakeIsNamedWithItsPlace() {
		refused("", "empty");
		refused("{", "not valid JSON");
		refused("[]", "must be a JSON object");
		refused("{\"outcomes\": [], \"x\": 1}", "/x", "unknown field");
		refused("{\"outcomes\": []}", "/outcomes", "1 to 1000");
		refused("{\"outcomes\": {}}", "/outcomes", "must be an array");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1}], \"outcomes\": []}", "not valid JSON");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1}]} x", "not valid JSON");
		refused("{\"outcomes\": [1]}", "/outcomes/0", "must be an object");
		refused("{\"outcomes\": [{\"label\": 1}]}", "/outcomes/0/request_id", "is required");
		refused("{\"outcomes\": [{\"request_id\": 7, \"label\": 1}]}", "/outcomes/0/request_id", "must be a string");
		refused("{\"outcomes\": [{\"request_id\": \"a b\", \"label\": 1}]}", "/outcomes/0/request_id");
		refused("{\"outcomes\": [{\"request_id\": \"a\"}]}", "/outcomes/0", "not neither");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"labels\": [1]}]}", "not both");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": \"1\"}]}", "/outcomes/0/label", "not a string");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1.0}]}", "/outcomes/0/label", "the number 1.0");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": true}]}", "/outcomes/0/label", "a boolean");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": -1}]}", "/outcomes/0/label", "0 to 10000");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 99999999999}]}", "/outcomes/0/label");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"labels\": []}]}", "/outcomes/0/labels", "non-empty");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"labels\": [1, null]}]}", "/outcomes/0/labels/1", "null");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"extra\": 1}]}", "/outcomes/0/extra",
				"unknown field");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": \"F\"}]}",
				"/outcomes/0/attributes", "must be an object");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": {}}]}", "/outcomes/0/attributes",
				"1 to 8");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": {\"sex\": 1}}]}",
				"/outcomes/0/attributes/sex", "must be a string");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": {\"sex\": \" \"}}]}",
				"/outcomes/0/attributes/sex", "1 to 64");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": {\"9x\": \"F\"}}]}",
				"/outcomes/0/attributes/9x", "attribute name");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"label\": 1, \"attributes\": {\"s\": \"a\\u0000b\"}}]}",
				"/outcomes/0/attributes/s");
		refused("{\"outcomes\": [{\"request_id\": \"a\", \"labels\": [1, 0], \"attributes\": [{\"s\": \"F\"}]}]}",
				"/outcomes/0/attributes", "1 entries for 2 labels");
	}

	@Test
	void theNumberOfOutcomesIsBounded() {
		StringBuilder body = new StringBuilder("{\"outcomes\": [");
		for (int i = 0; i <= FeedbackParser.MAX_OUTCOMES; i++) {
			body.append((i > 0) ? "," : "").append("{\"request_id\": \"r").append(i).append("\", \"label\": 1}");
		}
		refused(body.append("]}").toString(), "/outcomes", "1001 outcomes");
	}

}
