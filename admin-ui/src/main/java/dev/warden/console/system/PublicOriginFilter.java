package dev.warden.console.system;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;

/**
 * Presents every request to the application as addressed to the console's public URL
 * ({@link ConsoleProperties#publicUrl()}): scheme, server name, port, {@code isSecure()},
 * the request URL and the {@code Host} header all come from configuration, never from
 * what the client sent.
 *
 * <p>
 * Why: Spring Security and the authorization server build absolute URLs from the request
 * (the sign-in redirect, the saved request replayed after sign-in, the OAuth2 redirect
 * URI, the callback URL compared with it), and Tomcat takes those from the {@code Host}
 * header, so {@code Host: evil.example} produced {@code Location: http://evil.example/…}.
 * Registered first, for every dispatch type, after any forwarded-header handling, so
 * {@code X-Forwarded-Host} or {@code Forwarded} cannot move the origin either. The client
 * address ({@code getRemoteAddr()}) is left alone. Redirects Tomcat completes itself stay
 * relative ({@code server.tomcat.use-relative-redirects}).
 */
final class PublicOriginFilter extends HttpFilter {

	private final ConsoleProperties console;

	PublicOriginFilter(ConsoleProperties console) {
		this.console = console;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		chain.doFilter(new PublicOriginRequest(request, this.console), response);
	}

	private static final class PublicOriginRequest extends HttpServletRequestWrapper {

		private final ConsoleProperties console;

		PublicOriginRequest(HttpServletRequest request, ConsoleProperties console) {
			super(request);
			this.console = console;
		}

		@Override
		public String getScheme() {
			return this.console.publicUrl().getScheme();
		}

		@Override
		public boolean isSecure() {
			return this.console.isHttps();
		}

		@Override
		public String getServerName() {
			return this.console.publicUrl().getHost();
		}

		@Override
		public int getServerPort() {
			return this.console.port();
		}

		@Override
		public StringBuffer getRequestURL() {
			return new StringBuffer(this.console.origin()).append(getRequestURI());
		}

		@Override
		public String getHeader(String name) {
			return HttpHeaders.HOST.equalsIgnoreCase(name) ? this.console.publicUrl().getRawAuthority()
					: super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return HttpHeaders.HOST.equalsIgnoreCase(name)
					? Collections.enumeration(java.util.List.of(this.console.publicUrl().getRawAuthority()))
					: super.getHeaders(name);
		}

	}

}
