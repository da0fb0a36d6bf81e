package dev.warden.console.adminapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A model in platform-api's catalogue with its versions. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Model(String name, List<ModelVersion> versions) {

	public Model {
		versions = (versions == null) ? List.of() : List.copyOf(versions);
	}

}
