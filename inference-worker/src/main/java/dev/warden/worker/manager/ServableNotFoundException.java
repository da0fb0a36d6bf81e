package dev.warden.worker.manager;

/** No such model, or no such (available) version of it. */
public class ServableNotFoundException extends RuntimeException {

	public ServableNotFoundException(String message) {
		super(message);
	}

}
