package dev.warden.platform;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repeats an attempt until its result satisfies a condition or a limit has passed, and
 * returns the last result, on which the test then asserts: a wait for something that
 * another replica must see within a documented bound, without a fixed sleep.
 */
public final class Await {

	private Await() {
	}

	public static <T> T within(Duration limit, Supplier<T> attempt, Predicate<T> done) {
		long deadline = System.nanoTime() + limit.toNanos();
		T result = attempt.get();
		while (!done.test(result) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return result;
			}
			result = attempt.get();
		}
		return result;
	}

}
