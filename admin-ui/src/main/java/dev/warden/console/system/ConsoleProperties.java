package dev.warden.console.system;

import java.net.URI;
import java.util.Locale;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The console as the browser sees it ({@code warden.console.*}).
 *
 * @param publicUrl the console's origin as users open it, e.g.
 * {@code https://console.example.com}: scheme, host and port, nothing else. Every
 * absolute URL the console builds (redirects, the OAuth2 redirect URI, the post-logout
 * redirect) starts with it, whatever the request's {@code Host} or
 * {@code X-Forwarded-Host} header says. With the embedded authorization server it is also
 * the issuer's origin.
 */
@ConfigurationProperties("warden.console")
record ConsoleProperties(@DefaultValue("http://localhost:8090") URI publicUrl) {

	ConsoleProperties {
		String path = (publicUrl != null) ? publicUrl.getRawPath() : null;
		if (publicUrl != null
				&& ((path != null && !path.isEmpty() && !path.equals("/")) || publicUrl.getRawQuery() != null
						|| publicUrl.getRawFragment() != null || publicUrl.getRawUserInfo() != null)) {
			throw new IllegalArgumentException("warden.console.public-url (WARDEN_CONSOLE_PUBLIC_URL) must be an "
					+ "origin (scheme, host and port) without path, query or user, not '" + publicUrl + "'");
		}
		publicUrl = URI.create(originOf(publicUrl));
	}

	/** The public URL without a trailing slash, ready for a path to be appended. */
	String origin() {
		return this.publicUrl.toString();
	}

	/** The port a browser connects to. */
	int port() {
		return (this.publicUrl.getPort() != -1) ? this.publicUrl.getPort() : (isHttps() ? 443 : 80);
	}

	boolean isHttps() {
		return this.publicUrl.getScheme().equals("https");
	}

	/**
	 * The origin of an absolute http(s) URL as browsers compare origins: lower-case
	 * scheme and host, the port only when it is not the scheme's default.
	 */
	static String originOf(URI url) {
		String scheme = (url != null && url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : null;
		if (url == null || url.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
			throw new IllegalArgumentException("not an absolute http or https URL: '" + url + "'");
		}
		int port = url.getPort();
		boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
				|| (scheme.equals("https") && port == 443);
		return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
	}

}
