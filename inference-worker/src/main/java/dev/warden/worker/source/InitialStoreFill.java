package dev.warden.worker.source;

/**
 * Something that fills the local model store before the manager's startup pass, so that
 * the versions it brings are loaded by that pass and the worker reports ready only once
 * they are (the model store sync of a worker on another machine than the platform's
 * store). Called once, before the manager is created; it may block for a bounded time.
 */
public interface InitialStoreFill {

	/** Fills the store; returns when done or when its bound is reached. */
	void fillBeforeStartup();

}
