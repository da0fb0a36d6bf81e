package dev.warden.console;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A console for the page tests of one test class, started before its first test against
 * the stand-in admin API ({@link StubPlatformApi}), closed after its last; after each
 * test the stand-in answers normally again and forgets what the test stored (card edits,
 * promotion requests). Register it as
 * {@code @RegisterExtension static final StubbedConsole console = new StubbedConsole();}.
 */
public final class StubbedConsole implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

	private final Map<String, ?> properties;

	private TestConsole console;

	public StubbedConsole() {
		this(Map.of());
	}

	/**
	 * @param properties settings on top of application.yml
	 */
	public StubbedConsole(Map<String, ?> properties) {
		this.properties = properties;
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		this.console = TestConsole.start(this.properties);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.console.platformApi().failing(false);
		this.console.platformApi().governance().reset();
		this.console.platformApi().tenants().reset();
		this.console.platformApi().monitoring().reset();
		this.console.platformApi().models().reset();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		this.console.close();
	}

	public URI origin() {
		return this.console.origin();
	}

	public URI url(String pathAndQuery) {
		return this.console.url(pathAndQuery);
	}

	public StubPlatformApi platformApi() {
		return this.console.platformApi();
	}

	/** A browser signed in to the console as the user (password {@code <user>-local}). */
	public AuthorizationCodeFlowClient browser(String user) throws IOException, InterruptedException {
		var browser = new AuthorizationCodeFlowClient(this.console.origin());
		browser.signInToConsole(user, user + "-local");
		return browser;
	}

}
