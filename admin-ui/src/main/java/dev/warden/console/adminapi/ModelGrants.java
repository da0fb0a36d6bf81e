package dev.warden.console.adminapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Which tenants may call a model: all of them, or the listed tenant ids.
 *
 * @param all whether every tenant may call the model
 * @param tenants the tenant ids when not all; never {@code null}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelGrants(boolean all, List<String> tenants) {

	public ModelGrants {
		tenants = (tenants == null) ? List.of() : List.copyOf(tenants);
	}

}
