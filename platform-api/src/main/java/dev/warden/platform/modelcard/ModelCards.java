package dev.warden.platform.modelcard;

import java.util.List;

import org.springframework.stereotype.Service;

/**
 * Model cards of model versions. Thread-safe.
 */
@Service
public class ModelCards {

	/**
	 * The fields a complete card must have and this version's card lacks (paths such as
	 * {@code considerations.limitations}); empty when the card is complete.
	 */
	public List<String> missingSections(String model, long version) {
		throw new UnsupportedOperationException("not built yet");
	}

}
