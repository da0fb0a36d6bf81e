package dev.warden.tls;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Applies the {@code warden.tls.*} settings before the application starts.
 *
 * <ul>
 * <li>With a certificate: the web server serves HTTPS only (through the SSL bundle
 * {@value #SERVER_BUNDLE} that {@link TlsAutoConfiguration} registers), asks for client
 * certificates as {@code warden.tls.client-auth} says, and session cookies are
 * {@code Secure}. {@code warden.tls.enabled} and {@code warden.tls.scheme} tell the rest
 * of the application.</li>
 * <li>With a certificate or a CA: the process's default {@link SSLContext} becomes a
 * {@link ReloadingClientContext}, so that every HTTP client the application builds (and
 * those of the libraries it uses) trusts Warden's CA and presents the process's
 * certificate when asked.</li>
 * </ul>
 * Settings that contradict each other or name unreadable files stop the start with a
 * message that says which.
 */
public class TlsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the web server's SSL bundle. */
	public static final String SERVER_BUNDLE = "warden-server";

	private static volatile ReloadingClientContext installed;

	@Override
	public int getOrder() {
		return ConfigDataEnvironmentPostProcessor.ORDER + 10;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		TlsSettings settings = TlsSettings.from(environment);
		Map<String, Object> derived = new LinkedHashMap<>();
		derived.put("warden.tls.enabled", settings.serverEnabled());
		derived.put("warden.tls.scheme", settings.serverEnabled() ? "https" : "http");
		if (settings.serverEnabled()) {
			derived.put("server.ssl.enabled", true);
			derived.put("server.ssl.bundle", SERVER_BUNDLE);
			derived.put("server.ssl.client-auth", settings.effectiveClientAuth().name().toLowerCase(Locale.ROOT));
			derived.put("server.servlet.session.cookie.secure", true);
		}
		environment.getPropertySources().addFirst(new MapPropertySource("wardenTls", derived));
		if (settings.anyConfigured()) {
			installDefault(settings);
		}
	}

	/**
	 * Makes a context for {@code settings} the JVM's default, unless one for the same
	 * settings already is (a test starting several applications in one JVM).
	 */
	static synchronized void installDefault(TlsSettings settings) {
		ReloadingClientContext current = installed;
		if (current != null && current.settings().equals(settings)) {
			return;
		}
		ReloadingClientContext context = ReloadingClientContext.of(settings);
		SSLContext.setDefault(context.sslContext());
		installed = context;
	}

	/** The context installed as the JVM's default, or {@code null}. */
	public static ReloadingClientContext installedContext() {
		return installed;
	}

}
