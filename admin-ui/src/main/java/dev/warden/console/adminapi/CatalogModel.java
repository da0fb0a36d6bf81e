package dev.warden.console.adminapi;

import java.util.List;

/**
 * A model of platform-api's catalogue with every version and its grants.
 *
 * @param name the model's name
 * @param versions its versions, as the admin API lists them; never {@code null}
 * @param grants who may call it; {@code null} when the admin API sent none
 */
public record CatalogModel(String name, List<CatalogVersion> versions, ModelGrants grants) {

	public CatalogModel {
		versions = (versions == null) ? List.of() : List.copyOf(versions);
	}

	/** The version with the number, or {@code null}. */
	public CatalogVersion version(String number) {
		return this.versions.stream()
			.filter((version) -> ModelVersion.sameNumber(version.number(), number))
			.findFirst()
			.orElse(null);
	}

}
