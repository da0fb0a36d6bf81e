package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * docs/console.md shows {@code system-tests/keycloak-realm.sh} as the Keycloak set-up
 * ("Keycloak, step by step"), and {@code KeycloakBrowserIntegrationTests} runs the
 * script: the page must show the script as it is, so that what operators copy is what was
 * tested.
 */
class KeycloakRealmScriptDocsTests {

	@Test
	void consoleDocsShowTheTestedRealmScriptVerbatim() throws Exception {
		String script = Files.readString(Path.of("keycloak-realm.sh"));
		String docs = Files.readString(Path.of("..", "docs", "console.md"));
		// the script is shown inside a numbered list item, indented by three spaces
		String indented = script.lines()
			.map((line) -> line.isEmpty() ? line : "   " + line)
			.collect(Collectors.joining("\n", "", "\n"));

		assertThat(docs).contains("   ```bash\n" + indented + "   ```\n");
	}

}
