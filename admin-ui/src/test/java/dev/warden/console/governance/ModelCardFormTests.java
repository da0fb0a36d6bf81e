package dev.warden.console.governance;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

class ModelCardFormTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void theFormIsFilledFromTheCardWithRoomForMoreEntries() {
		ModelCardForm form = ModelCardForm.of(JSON.readTree("""
				{"model_details":{"name":"income","overview":"o","version":{"name":"1","diff":"d"},
				  "owners":[{"name":"a","contact":"a@example.com"}]},
				 "model_parameters":{"data":[{"name":"adult","sensitive":{"sensitive_attributes":["sex","race"]}}]},
				 "considerations":{"limitations":[{"description":"old"}, "a plain text entry"]}}"""), "4");

		assertThat(form.revision()).isEqualTo("4");
		ModelCardForm.FormSection details = form.sections().get(0);
		assertThat(details.texts()).extracting(ModelCardForm.Text::parameter, ModelCardForm.Text::value)
			.contains(org.assertj.core.groups.Tuple.tuple("model_details.overview", "o"),
					org.assertj.core.groups.Tuple.tuple("model_details.version.diff", "d"));
		List<List<ModelCardForm.Cell>> owners = details.lists().get(0).shownRows();
		assertThat(owners).hasSize(1 + ModelCardForm.BLANK_ROWS);
		assertThat(owners.get(0)).extracting(ModelCardForm.Cell::parameter, ModelCardForm.Cell::value)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("model_details.owners[0].name", "a"),
					org.assertj.core.groups.Tuple.tuple("model_details.owners[0].contact", "a@example.com"));
		assertThat(owners.get(2).get(0).value()).isEmpty();
		assertThat(form.sections().get(1).lists().get(0).rows().get(0)).containsExactly("adult", "", "sex\nrace", "");
		assertThat(form.sections().get(2).lists().get(2).rows()).containsExactly(List.of("old"),
				List.of("a plain text entry"));
	}

	@Test
	void aSubmittedFormIsSentAsTheWholeOfEachSectionWithoutEmptyFieldsOrEntries() {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("revision", " 4 ");
		form.add("comment", " why ");
		form.add("model_details.overview", "  o  ");
		form.add("model_details.documentation", " ");
		form.add("model_details.version.diff", "d");
		form.add("model_details.owners[0].name", "a");
		form.add("model_details.owners[0].contact", "");
		form.add("model_details.owners[1].name", "");
		form.add("model_details.owners[1].contact", "");
		form.add("model_details.owners[2].name", "c");
		form.add("model_parameters.data[0].name", "adult");
		form.add("model_parameters.data[0].sensitive_attributes",
				"sex\r\n \nrelationship (stands in for sex: Husband, Wife)");
		form.add("considerations.users[0].description", "operators");

		Map<String, Object> body = ModelCardForm.submitted(form).request();

		// as platform-api reads it
		JsonNode sent = JSON.readTree(JSON.writeValueAsString(body));
		assertThat(sent).isEqualTo(JSON.readTree("""
				{"model_details":{"overview":"o","version":{"diff":"d"},"owners":[{"name":"a"},{"name":"c"}]},
				 "model_parameters":{"data":[{"name":"adult","sensitive":{"sensitive_attributes":
				  ["sex","relationship (stands in for sex: Husband, Wife)"]}}]},
				 "considerations":{"users":[{"description":"operators"}]},
				 "revision":4,"comment":"why"}"""));
	}

	@Test
	void aCardFilledInEveryEditableFieldGoesThroughTheFormUnchanged() {
		JsonNode card = JSON.readTree("""
				{"model_details":{"overview":"o","documentation":"d","version":{"diff":"retrained"},
				  "owners":[{"name":"team","contact":"team@example.com"}],
				  "licenses":[{"identifier":"Apache-2.0"},{"custom_text":"no licence for the weights, see the data's"}],
				  "references":[{"reference":"https://example.com/a"}],"citations":[{"style":"text","citation":"c"}]},
				 "model_parameters":{"model_architecture":"mlp","input_format":"i","output_format":"o",
				  "data":[{"name":"train","link":"https://example.com/d","description":"split",
				   "sensitive":{"sensitive_attributes":["sex","relationship (stands in for sex: Husband, Wife)"]}}]},
				 "considerations":{"users":[{"description":"u"}],"use_cases":[{"description":"c"}],
				  "limitations":[{"description":"l1"},{"description":"l2"}],"tradeoffs":[{"description":"t"}],
				  "ethical_considerations":[{"name":"e","mitigation_strategy":"m"}]}}""");
		MultiValueMap<String, String> posted = new LinkedMultiValueMap<>();
		ModelCardForm filled = ModelCardForm.of(card, "2");
		for (ModelCardForm.FormSection section : filled.sections()) {
			section.texts().forEach((text) -> posted.add(text.parameter(), text.value()));
			section.lists()
				.forEach((list) -> list.shownRows()
					.forEach((row) -> row.forEach((cell) -> posted.add(cell.parameter(), cell.value()))));
		}
		posted.add("revision", "2");
		posted.add("comment", "no change");

		JsonNode sent = JSON.readTree(JSON.writeValueAsString(ModelCardForm.submitted(posted).request()));

		for (String section : List.of("model_details", "model_parameters", "considerations")) {
			assertThat(sent.path(section)).as(section).isEqualTo(card.path(section));
		}
	}

	@Test
	void anEntryIndexFarBeyondTheFieldsSentAddsNothing() {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("revision", "1");
		form.add("considerations.users[999999999].description", "x");
		form.add("considerations.users[x].description", "y");

		ModelCardForm submitted = ModelCardForm.submitted(form);

		assertThat(submitted.sections().get(2).lists().get(0).rows()).isEmpty();
	}

}
