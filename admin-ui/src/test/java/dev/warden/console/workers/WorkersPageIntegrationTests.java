package dev.warden.console.workers;

import dev.warden.console.StubbedConsole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.warden.console.Pages.between;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workers page over real HTTP against the stand-in admin API: both roles see the
 * workers with health, breaker state, traffic and per-model versions, page through them,
 * and get platform-api's failure as a message on the page.
 */
class WorkersPageIntegrationTests {

	@RegisterExtension
	static final StubbedConsole console = new StubbedConsole();

	@Test
	void everyRoleSeesTheWorkersAndPagesThroughThem() throws Exception {
		for (String user : new String[] { "compliance", "admin" }) {
			var browser = console.browser(user);
			String first = browser.get(console.url("/workers")).body();
			assertThat(first).contains("<a href=\"/workers\">Workers</a>", "view of the gateway replica that answered")
				.contains("data-worker=\"configured-1\"", "http://127.0.0.1:8081", "configured",
						"<span class=\"badge health-up\">healthy</span>",
						"<span class=\"badge breaker-closed\">CLOSED: requests pass</span>", "10,421",
						"1796531649783165")
				.contains("rel=\"next\" href=\"/workers?page=1\"")
				.doesNotContain("worker-b", "rel=\"prev\"", "<form class=\"form");
			String income = between(first, "data-model=\"income\"", "</tr>");
			assertThat(income).contains("<td>1</td>", "stable → 1", "<td>1, 2</td>").doesNotContain("failed");

			String second = browser.get(console.url("/workers?page=1")).body();
			assertThat(second)
				.contains("data-worker=\"worker-b\"", "registered",
						"<span class=\"badge health-down\">unhealthy</span>",
						"<span class=\"badge breaker-open\">OPEN: requests refused</span>", "none reported",
						"rel=\"prev\" href=\"/workers?page=0\"", "Page 2")
				.doesNotContain("configured-1", "rel=\"next\"");
			String failed = between(second, "data-model=\"income\"", "</tr>");
			assertThat(failed).contains("<td>1, 3</td>", "version 3 failed", "SavedModel not found in the store");
		}
		assertThat(console.platformApi().requests()).contains("GET /api/admin/workers?page=0&size=20",
				"GET /api/admin/workers?page=1&size=20");
	}

	@Test
	void aFailureOfPlatformApiIsAMessageOnThePage() throws Exception {
		console.platformApi().failing("/api/admin/workers");
		var response = console.browser("compliance").get(console.url("/workers"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body())
			.contains("The workers could not be loaded.", "platform-api answered 503: database is down.")
			.doesNotContain("data-worker=");
	}

	@Test
	void aPageNumberThatIsNotANumberIsRefused() throws Exception {
		var browser = console.browser("admin");
		var response = browser.get(console.url("/workers?page=last"));
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).doesNotContain("Exception", "data-worker=");
		// a negative page number is the first page
		assertThat(browser.get(console.url("/workers?page=-3")).body()).contains("data-worker=\"configured-1\"");
	}

}
