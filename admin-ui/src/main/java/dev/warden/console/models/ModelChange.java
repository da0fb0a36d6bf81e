package dev.warden.console.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.console.adminapi.CatalogModel;
import dev.warden.console.adminapi.Routing;

/**
 * One change of a model's grants or routing as the forms send it, checked before it is
 * confirmed or applied, and described in plain words for its confirmation page.
 *
 * @param action {@code canary}, {@code promote}, {@code rollback}, {@code reset},
 * {@code pin}, {@code unpin} or {@code grants}
 * @param version the version (canary, pin), or null
 * @param weight the canary's weight in percent, or null
 * @param subject the tenant or API key id (pin, unpin), or null
 * @param all whether the grants are for every tenant (grants)
 * @param tenants the tenant ids granted (grants, when not all)
 */
record ModelChange(String action, Long version, Integer weight, String subject, boolean all, List<String> tenants) {

	/** Which control of the page an action belongs to, where its errors are shown. */
	static String control(String action) {
		return switch (action) {
			case "canary", "promote", "rollback", "reset", "pin", "unpin", "grants" -> action;
			default -> "routing";
		};
	}

	/**
	 * Reads the change from the form's fields; what cannot be read is put into
	 * {@code errors} under the control it concerns, and null is answered.
	 */
	static ModelChange read(Map<String, String> fields, List<String> tenants, Map<String, String> errors) {
		String action = fields.getOrDefault("action", "");
		String control = control(action);
		switch (action) {
			case "canary" -> {
				Long version = number(fields.get("version"));
				Long weight = number(fields.get("weight"));
				if (version == null) {
					errors.put(control, "Choose the canary version.");
				}
				else if (weight == null || weight < 1 || weight > 100) {
					errors.put(control, "The weight is a whole number of percent from 1 to 100.");
				}
				else {
					return new ModelChange(action, version, weight.intValue(), null, false, List.of());
				}
			}
			case "promote", "rollback", "reset" -> {
				return new ModelChange(action, null, null, null, false, List.of());
			}
			case "pin" -> {
				String tenant = fields.getOrDefault("tenant", "").trim();
				String key = fields.getOrDefault("api_key", "").trim();
				String subject = fields.getOrDefault("subject", "").trim();
				if (subject.isEmpty()) {
					subject = !tenant.isEmpty() ? tenant : key;
				}
				Long version = number(fields.get("version"));
				if (!tenant.isEmpty() && !key.isEmpty()) {
					errors.put(control, "Choose a tenant or enter an API key id, not both.");
				}
				else if (subject.isEmpty()) {
					errors.put(control, "Choose a tenant or enter an API key id to pin.");
				}
				else if (version == null) {
					errors.put(control, "Choose the version to pin to.");
				}
				else {
					return new ModelChange(action, version, null, subject, false, List.of());
				}
			}
			case "unpin" -> {
				String subject = fields.getOrDefault("subject", "").trim();
				if (subject.isEmpty()) {
					errors.put(control, "Choose the pin to remove.");
				}
				else {
					return new ModelChange(action, null, null, subject, false, List.of());
				}
			}
			case "grants" -> {
				String scope = fields.getOrDefault("scope", "");
				if (!scope.equals("all") && !scope.equals("list")) {
					errors.put(control, "Choose all tenants or the listed tenants.");
				}
				else {
					return new ModelChange(action, null, null, null, scope.equals("all"),
							scope.equals("all") ? List.of() : List.copyOf(tenants));
				}
			}
			default -> errors.put(control, "Unknown change '" + action + "'.");
		}
		return null;
	}

	/** The fields that carry the change from its confirmation page to the action. */
	Map<String, String> fields() {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("action", this.action);
		if (this.version != null) {
			fields.put("version", String.valueOf(this.version));
		}
		if (this.weight != null) {
			fields.put("weight", String.valueOf(this.weight));
		}
		if (this.subject != null) {
			fields.put("subject", this.subject);
		}
		if (this.action.equals("grants")) {
			fields.put("scope", this.all ? "all" : "list");
		}
		return fields;
	}

	/** The confirmation page's heading. */
	public String title(String model) {
		return switch (this.action) {
			case "canary" -> "Route " + this.weight + " % of " + model + " to version " + this.version + "?";
			case "promote" -> "Promote the canary of " + model + "?";
			case "rollback" -> "Roll back the canary of " + model + "?";
			case "reset" -> "Reset the routing of " + model + "?";
			case "pin" -> "Pin to version " + this.version + " of " + model + "?";
			case "unpin" -> "Remove a pin of " + model + "?";
			default -> "Change who may call " + model + "?";
		};
	}

	/** The button that applies the change. */
	public String button() {
		return switch (this.action) {
			case "canary" -> "Set the canary";
			case "promote" -> "Promote the canary";
			case "rollback" -> "Roll back";
			case "reset" -> "Reset the routing";
			case "pin" -> "Pin";
			case "unpin" -> "Remove the pin";
			default -> "Replace the grants";
		};
	}

	/** Whether the change can take traffic or access away at once. */
	public boolean danger() {
		return this.action.equals("reset") || this.action.equals("grants") || this.action.equals("promote");
	}

	/** What the change does, one paragraph each, from the routing and grants now. */
	List<String> consequences(String model, CatalogModel catalog, Routing routing, Map<String, String> tenantNames) {
		List<String> lines = new ArrayList<>();
		String stable = (routing != null && routing.stableVersion() != null) ? "version " + routing.stableVersion()
				: "no stable version";
		Routing.Canary canary = (routing != null) ? routing.canary() : null;
		switch (this.action) {
			case "canary" -> {
				lines.add("Version " + this.version + " will answer " + this.weight + " % of the calls to " + model
						+ " that name no version (chosen by request id: the same id always gets the same version); "
						+ "the rest go to the stable version (now " + stable + ").");
				lines.add((canary != null)
						? "It replaces the canary version " + canary.version() + " at " + canary.weight() + " %."
						: "There is no canary now.");
				lines.add("Pinned tenants and API keys keep their version. Above the weight an administrator may set "
						+ "directly, the promotion policy refuses the canary: it then needs an approved promotion request.");
			}
			case "promote" -> {
				lines.add((canary != null)
						? "Canary version " + canary.version() + " becomes the stable version of " + model + " (now "
								+ stable + ") and answers every call that names no version."
						: "There is no canary now: platform-api will refuse.");
				lines.add("The canary is removed. The promotion policy may reserve this for an approved promotion "
						+ "request.");
			}
			case "rollback" -> {
				lines.add((canary != null) ? "The canary (version " + canary.version() + " at " + canary.weight()
						+ " %) is removed: every call that names no version goes to the stable version (" + stable
						+ ")." : "There is no canary now: platform-api will refuse.");
			}
			case "reset" -> {
				lines.add("The stable version (" + stable + ") and the canary"
						+ ((canary != null) ? " (version " + canary.version() + ")" : "")
						+ " are forgotten: calls that name no version go to the newest version the workers serve.");
				lines.add("Pins stay.");
			}
			case "pin" -> lines.add(subjectLabel(tenantNames) + " will be answered by version " + this.version + " of "
					+ model + " for every call that names no version, whatever the canary and the stable "
					+ "version are.");
			case "unpin" -> {
				Long pinned = null;
				if (routing != null) {
					pinned = routing.pins()
						.stream()
						.filter((pin) -> pin.subjectId().equals(this.subject))
						.map(Routing.Pin::version)
						.findFirst()
						.orElse(null);
				}
				lines.add("The pin of " + subjectLabel(tenantNames) + ((pinned != null) ? " to version " + pinned : "")
						+ " is removed: its calls follow the canary and the stable version again.");
			}
			default -> {
				if (this.all) {
					lines.add("Every tenant, present and future, may call " + model + ".");
				}
				else if (this.tenants.isEmpty()) {
					lines.add("No tenant may call " + model
							+ " any more: every call to it is answered 404 model_not_found.");
				}
				else {
					lines.add("Only these tenants may call " + model + ": "
							+ String.join(", ",
									this.tenants.stream().map((id) -> tenantNames.getOrDefault(id, id)).toList())
							+ ".");
					lines.add("Every other tenant's call to it is answered 404 model_not_found.");
				}
				if (catalog != null && catalog.grants() != null) {
					lines.add("Now: " + (catalog.grants().all() ? "every tenant."
							: catalog.grants().tenants().isEmpty() ? "no tenant."
									: String.join(", ",
											catalog.grants()
												.tenants()
												.stream()
												.map((id) -> tenantNames.getOrDefault(id, id))
												.toList())
											+ "."));
				}
			}
		}
		return lines;
	}

	private String subjectLabel(Map<String, String> tenantNames) {
		String name = tenantNames.get(this.subject);
		return (name != null) ? "Tenant " + name : "API key or tenant " + this.subject;
	}

	/** What the page says once the change is applied. */
	String done(String model, Routing after) {
		return switch (this.action) {
			case "canary" -> "Version " + this.version + " of " + model + " now answers " + this.weight
					+ " % of the calls that name no version.";
			case "promote" -> "Version " + after.stableVersion() + " is now the stable version of " + model + ".";
			case "rollback" -> "The canary of " + model + " was rolled back: every call goes to the stable version"
					+ ((after.stableVersion() != null) ? " " + after.stableVersion() : "") + ".";
			case "reset" -> "The routing of " + model + " was reset: calls go to the newest version.";
			case "pin" -> "Pinned " + this.subject + " to version " + this.version + ".";
			case "unpin" -> "The pin of " + this.subject + " was removed.";
			default -> "The grants of " + model + " were replaced.";
		};
	}

	private static Long number(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		try {
			return Long.parseLong(text.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
