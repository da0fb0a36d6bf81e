package dev.warden.console.identity;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.thymeleaf.spring6.view.ThymeleafViewResolver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.web.servlet.View;

/**
 * Answers a failed post of the sign-in form. A wrong password (or unknown name) is sent
 * back to {@code /login?error}. A refusal by the failure budgets
 * ({@link SignInThrottledException}) is answered at once, without a redirect: 429 with
 * {@code Retry-After} (whole seconds, rounded up) and the sign-in page saying how long to
 * wait; the page does not say whether the name or the address is locked out, nor whether
 * the name exists.
 */
final class SignInFailureHandler implements AuthenticationFailureHandler {

	static final String SIGN_IN_VIEW = "identity/sign-in";

	/** The model attribute the sign-in page shows the wait with. */
	static final String PAUSED_FOR = "signInPausedFor";

	private final AuthenticationFailureHandler wrongPassword = new SimpleUrlAuthenticationFailureHandler(
			IdentityConfiguration.SIGN_IN_PAGE + "?error");

	private final ObjectProvider<ThymeleafViewResolver> views;

	SignInFailureHandler(ObjectProvider<ThymeleafViewResolver> views) {
		this.views = views;
	}

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException, ServletException {
		if (!(exception instanceof SignInThrottledException throttled)) {
			this.wrongPassword.onAuthenticationFailure(request, response, exception);
			return;
		}
		long seconds = retryAfterSeconds(throttled.retryAfter());
		response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
		response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		try {
			View page = this.views.getObject().resolveViewName(SIGN_IN_VIEW, request.getLocale());
			page.render(Map.of(PAUSED_FOR, describe(seconds)), request, response);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ServletException("the sign-in page could not be rendered", ex);
		}
	}

	static long retryAfterSeconds(Duration wait) {
		long seconds = wait.toSeconds() + ((wait.toNanosPart() > 0) ? 1 : 0);
		return Math.max(1, seconds);
	}

	/**
	 * A wait as people say it: seconds under a minute and a half, then minutes, then
	 * hours, rounded up.
	 */
	static String describe(long seconds) {
		if (seconds < 90) {
			return seconds + ((seconds == 1) ? " second" : " seconds");
		}
		long minutes = (seconds + 59) / 60;
		if (minutes < 90) {
			return minutes + " minutes";
		}
		return ((minutes + 59) / 60) + " hours";
	}

}
