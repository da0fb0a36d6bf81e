package dev.warden.console.identity;

import dev.warden.console.identity.SignInLockedOut.Lock;
import dev.warden.console.identity.SignInThrottle.Failure;
import dev.warden.console.identity.SignInThrottle.Reservation;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/**
 * Checks the sign-in form's credentials within the failure budgets of
 * {@link SignInThrottle}: an attempt whose user name or client address has no failure
 * left is refused before its password is looked at (so a lock-out also refuses the right
 * password), and every wrong password is counted, then published as {@link SignInFailed},
 * followed by {@link SignInLockedOut} when it used up a budget. Unknown names are treated
 * exactly like known ones. Refusals are thrown as {@link SignInThrottledException}, for
 * {@link SignInFailureHandler} to answer 429.
 */
final class ThrottledAuthenticationManager implements AuthenticationManager {

	private final AuthenticationManager passwords;

	private final SignInThrottle throttle;

	private final ApplicationEventPublisher events;

	ThrottledAuthenticationManager(AuthenticationManager passwords, SignInThrottle throttle,
			ApplicationEventPublisher events) {
		this.passwords = passwords;
		this.throttle = throttle;
		this.events = events;
	}

	@Override
	public Authentication authenticate(Authentication attempt) {
		String username = attempt.getName();
		SignInDetails details = (attempt.getDetails() instanceof SignInDetails signIn) ? signIn : null;
		String address = (details != null) ? details.getRemoteAddress() : null;
		String userAgent = (details != null) ? details.getUserAgent() : null;
		Reservation reservation = this.throttle.reserve(username, address);
		if (!reservation.granted()) {
			throw new SignInThrottledException(reservation.retryAfter(), null);
		}
		Authentication result;
		try {
			result = this.passwords.authenticate(attempt);
		}
		catch (BadCredentialsException ex) {
			Failure failure = reservation.fail();
			this.events.publishEvent(new SignInFailed(username, reservation.knownUser(), address, userAgent));
			if (failure.userLockedOut()) {
				this.events
					.publishEvent(new SignInLockedOut(Lock.USER, username, address, userAgent, failure.retryAfter()));
			}
			if (failure.addressLockedOut()) {
				this.events.publishEvent(
						new SignInLockedOut(Lock.CLIENT_ADDRESS, username, address, userAgent, failure.retryAfter()));
			}
			if (failure.lockedOut()) {
				throw new SignInThrottledException(failure.retryAfter(), ex);
			}
			throw ex;
		}
		catch (RuntimeException ex) {
			// not a wrong password (e.g. the user store failed): no failure is counted
			reservation.release();
			throw ex;
		}
		reservation.release();
		return result;
	}

}
