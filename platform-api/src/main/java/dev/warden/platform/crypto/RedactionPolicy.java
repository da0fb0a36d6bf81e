package dev.warden.platform.crypto;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.PolicyFile;
import dev.warden.platform.system.WardenProperties;

/**
 * Redaction rules per tenant, read once at start-up from the {@code redaction} section of
 * {@code <policies dir>/logging.yaml} (or the copy packaged in the jar when the policies
 * directory does not exist). A tenant listed under {@code redaction.tenants} (by tenant
 * id) gets the defaults with its own values on top. A file without a {@code redaction}
 * section redacts nothing. Invalid values stop the start with a message naming the field.
 * Thread-safe (immutable).
 */
@Component
public class RedactionPolicy {

	private static final Logger log = LoggerFactory.getLogger(RedactionPolicy.class);

	static final String FILE_NAME = "logging.yaml";

	private final RedactionRules defaults;

	private final Map<UUID, RedactionRules> tenants;

	@Autowired
	RedactionPolicy(WardenProperties warden) throws IOException {
		this(read(warden.policiesDir()));
	}

	RedactionPolicy(JsonNode root) {
		JsonNode redaction = (root != null) ? root.path("redaction") : null;
		if (redaction == null || redaction.isMissingNode() || redaction.isNull()) {
			this.defaults = RedactionRules.NONE;
			this.tenants = Map.of();
			return;
		}
		this.defaults = rules(redaction.path("default"), RedactionRules.NONE, "redaction.default");
		Map<UUID, RedactionRules> parsed = new LinkedHashMap<>();
		redaction.path("tenants").properties().forEach((entry) -> {
			UUID id;
			try {
				id = UUID.fromString(entry.getKey());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(
						FILE_NAME + ": redaction.tenants: '" + entry.getKey() + "' is not a tenant id (UUID)");
			}
			parsed.put(id, rules(entry.getValue(), this.defaults, "redaction.tenants." + entry.getKey()));
		});
		this.tenants = Map.copyOf(parsed);
	}

	/** Parses a policy from YAML text (tests, tools). */
	public static RedactionPolicy parse(String yaml) {
		return new RedactionPolicy(new YAMLMapper().readTree(yaml));
	}

	/**
	 * The rules for a tenant; {@link RedactionRules#NONE} when there is no tenant
	 * (nothing is stored then).
	 */
	public RedactionRules rulesFor(UUID tenantId) {
		if (tenantId == null) {
			return RedactionRules.NONE;
		}
		return this.tenants.getOrDefault(tenantId, this.defaults);
	}

	/**
	 * Redacts one payload of a tenant: the call the request-log writer makes before
	 * encrypting.
	 * @return the payload to encrypt and the number of values replaced
	 */
	public Redactor.Bytes redact(UUID tenantId, byte[] payload) {
		return Redactor.redact(payload, rulesFor(tenantId));
	}

	private static RedactionRules rules(JsonNode node, RedactionRules base, String where) {
		if (node == null || node.isMissingNode() || node.isNull()) {
			return base;
		}
		if (!node.isObject()) {
			throw new IllegalStateException(FILE_NAME + ": " + where + " must be a mapping");
		}
		node.propertyNames().forEach((name) -> {
			if (!java.util.Set.of("emails", "phone_numbers", "card_numbers", "phone_region").contains(name)) {
				throw new IllegalStateException(FILE_NAME + ": " + where + "." + name
						+ " is unknown; expected emails, phone_numbers, card_numbers or phone_region");
			}
		});
		String region = node.has("phone_region") ? node.get("phone_region").asString().toUpperCase(Locale.ROOT)
				: base.phoneRegion();
		if (!"ZZ".equals(region) && !PhoneNumberUtil.getInstance().getSupportedRegions().contains(region)) {
			throw new IllegalStateException(FILE_NAME + ": " + where + ".phone_region '" + region
					+ "' is not a region code such as US or DE (or ZZ for international numbers only)");
		}
		return new RedactionRules(flag(node, "emails", base.emails(), where),
				flag(node, "phone_numbers", base.phoneNumbers(), where),
				flag(node, "card_numbers", base.cardNumbers(), where), region);
	}

	private static boolean flag(JsonNode node, String name, boolean base, String where) {
		JsonNode value = node.get(name);
		if (value == null || value.isNull()) {
			return base;
		}
		if (!value.isBoolean()) {
			throw new IllegalStateException(FILE_NAME + ": " + where + "." + name + " must be true or false");
		}
		return value.booleanValue();
	}

	private static JsonNode read(Path dir) throws IOException {
		PolicyFile file = PolicyFile.read(dir, FILE_NAME);
		switch (file.source()) {
			case FILE -> log.info("Redaction policy read from {}", file.path().toAbsolutePath());
			case PACKAGED -> log.info("Redaction policy read from the packaged policies/{}", FILE_NAME);
			case ABSENT -> {
				log.warn("No {} in {}: request-log payloads are not redacted", FILE_NAME, dir.toAbsolutePath());
				return null;
			}
		}
		return new YAMLMapper().readTree(file.content());
	}

}
