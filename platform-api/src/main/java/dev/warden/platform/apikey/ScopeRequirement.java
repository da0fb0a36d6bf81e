package dev.warden.platform.apikey;

import java.nio.charset.StandardCharsets;

import org.springframework.web.util.UriUtils;

/**
 * The scope a data-plane call needs, derived from its method and path:
 * <ul>
 * <li>{@code POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict} (also {@code :classify}, {@code :regress})
 * and {@code POST /v2/models/{m}[/versions/{v}]/infer}: model {@code m}, operation {@code predict};</li>
 * <li>{@code POST ...:explain} and {@code POST /v2/models/{m}[...]/explain}: operation {@code explain};</li>
 * <li>{@code GET /v1/models/{m}[...]} (status, metadata) and {@code GET /v2/models/{m}[...]} (metadata, ready):
 * operation {@code metadata};</li>
 * <li>{@code GET /v1/models} (the listing): operation {@code metadata}, no model;</li>
 * <li>anything else ({@code /v2/health/*}, {@code GET /v2}): no scope.</li>
 * </ul>
 * An unknown verb on a model path still needs the model scope (no operation). Path segments are percent-decoded,
 * so {@code inc%6Fme} is checked as {@code income}.
 */
public record ScopeRequirement(String model, String operation) {

	static final ScopeRequirement NONE = new ScopeRequirement(null, null);

	public static ScopeRequirement of(String method, String path) {
		String[] segments = path.split("/", -1);
		// segments[0] is "" (leading slash); [1] = v1|v2; [2] = models|health|...; [3] = model[:verb]
		if (segments.length < 3 || !"models".equals(segments[2])) {
			return NONE;
		}
		if (segments.length == 3 || (segments.length == 4 && segments[3].isEmpty())) {
			return "v1".equals(segments[1]) ? new ScopeRequirement(null, "metadata") : NONE;
		}
		String last = segments[segments.length - 1];
		String verb = null;
		int colon = last.lastIndexOf(':');
		if ("v1".equals(segments[1]) && colon >= 0) {
			verb = last.substring(colon + 1);
		}
		String first = segments[3];
		if (segments.length == 4 && colon >= 0 && "v1".equals(segments[1])) {
			first = first.substring(0, colon);
		}
		String model = UriUtils.decode(first, StandardCharsets.UTF_8);
		if ("v2".equals(segments[1]) && segments.length > 4) {
			verb = switch (last) {
				case "infer" -> "predict";
				case "explain" -> "explain";
				default -> null;
			};
			if (verb == null && !"GET".equals(method)) {
				return new ScopeRequirement(model, null);
			}
		}
		if (verb == null) {
			return new ScopeRequirement(model, "GET".equals(method) ? "metadata" : null);
		}
		return switch (verb) {
			case "predict", "classify", "regress", "infer" -> new ScopeRequirement(model, "predict");
			case "explain" -> new ScopeRequirement(model, "explain");
			default -> new ScopeRequirement(model, null);
		};
	}

}
