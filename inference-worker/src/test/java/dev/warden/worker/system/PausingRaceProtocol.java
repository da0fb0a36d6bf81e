package dev.warden.worker.system;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's HTTP/1.1 protocol with a scripted {@link #isPaused()}, to reproduce a race of
 * graceful shutdown on demand: a request processor asks whether the connector is paused
 * once before it reads the request line and once after; when the pause comes in between,
 * Tomcat answers without reading the headers. Once {@link #armed}, the next call answers
 * "not paused" and every later call "paused", as if the pause came right after the
 * processor's first check.
 */
public class PausingRaceProtocol extends Http11NioProtocol {

	/** Calls left that answer "not paused"; negative: not armed (the real state). */
	static final AtomicInteger armed = new AtomicInteger(-1);

	@Override
	public boolean isPaused() {
		int left = armed.getAndUpdate((n) -> (n > 0) ? n - 1 : n);
		return (left < 0) ? super.isPaused() : left == 0;
	}

}
