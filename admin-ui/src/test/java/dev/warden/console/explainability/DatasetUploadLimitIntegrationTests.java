package dev.warden.console.explainability;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.warden.console.TestConsole;
import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reference dataset larger than the console's upload limit
 * ({@code WARDEN_CONSOLE_UPLOAD_MAX_SIZE}) is refused by the console with its 413 page
 * (the form's CSRF token is in the refused body, so no controller sees the post), and
 * nothing reaches platform-api.
 */
class DatasetUploadLimitIntegrationTests {

	private static TestConsole console;

	@BeforeAll
	static void start() {
		console = TestConsole.start(Map.of("WARDEN_CONSOLE_UPLOAD_MAX_SIZE", "1KB"));
	}

	@AfterAll
	static void stop() {
		console.close();
	}

	@Test
	void aFileOverTheLimitIsRefused() throws Exception {
		var browser = new AuthorizationCodeFlowClient(console.origin());
		browser.signInToConsole("admin", "admin-local");
		String page = browser.get(console.url("/models/income/versions/1/explainability")).body();
		String csrf = AuthorizationCodeFlowClient.csrfToken(page).orElseThrow();
		String boundary = "----b";
		String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + csrf + "\r\n--"
				+ boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
				+ "Content-Type: text/csv\r\n\r\nage\n" + "39\n".repeat(2000) + "\r\n--" + boundary + "--\r\n";

		HttpResponse<String> upload = browser.post(console.url("/models/income/versions/1/explainability/datasets"),
				"multipart/form-data; boundary=" + boundary, body);

		assertThat(upload.statusCode()).isEqualTo(413);
		assertThat(upload.body()).contains(
				"The request is larger than the console accepts (for file uploads: WARDEN_CONSOLE_UPLOAD_MAX_SIZE).")
			.doesNotContain("Exception");
		assertThat(console.platformApi().requests())
			.noneMatch((request) -> request.startsWith("POST /api/admin/models/income/reference-datasets"));
	}

}
