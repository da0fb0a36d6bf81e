package dev.warden.platform.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One data-plane request as the gateway understands it: which endpoint, which model,
 * which version or label. It is parsed <em>once</em> from the raw request path by
 * {@link DataPlaneRouteFilter}, before any check, and stored under
 * {@link GatewayAttributes#ROUTE}; the API key's scopes, the model grant, the quota's row
 * limit, the request log and the forwarder all read this object, and the path sent to the
 * worker is {@link #path()}, built from it, never the client's path. Two spellings of one
 * request (say {@code inc%6Fme} and {@code income}) are one route; a path that is not
 * exactly one of the grammar's forms is no route at all and is refused before the API key
 * is looked at, with the same answer for every caller.
 *
 * <h2>Grammar</h2> The raw path is split at {@code /}; the last segment of a TF Serving
 * call is split at its {@code :}; only then is each part percent-decoded (UTF-8,
 * strictly). A percent-encoded delimiter ({@code %2F}, {@code %3A}) is therefore data,
 * not a delimiter: {@code income%3Apredict} names a model {@code income:predict}, which
 * no model can be called. Literal segments ({@code v1}, {@code models}, {@code versions},
 * verbs …) are matched case-sensitively after decoding; empty segments, dot segments and
 * trailing slashes are not part of any form (except the listings {@code /v1/models/} and
 * {@code /v2/}). Model names are {@link #MODEL_NAME}, labels {@link #LABEL}, versions
 * 1–18 decimal digits. <pre>
 * GET  /v1/models                                            model listing
 * GET  /v1/models/{m}[/versions/{v}|/labels/{l}]             version status
 * GET  /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata    signature defs
 * GET  /v1/models/{m}[/versions/{v}|/labels/{l}]/explanation-methods   what :explain supports
 * POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict     also :classify, :regress, :explain
 * POST /v1/models/{m}[/versions/{v}]:feedback                true outcomes of earlier predictions (answered by the gateway)
 * GET  /v1/models/{m}[/versions/{v}]/feedback                the caller's live quality from them (answered by the gateway)
 * GET  /v1/usage                                             the caller's usage (answered by the gateway)
 * GET  /v2                                                   server metadata
 * GET  /v2/health/live, /v2/health/ready                     server health
 * GET  /v2/models/{m}[/versions/{v}]                         model metadata
 * GET  /v2/models/{m}[/versions/{v}]/ready                   model readiness
 * POST /v2/models/{m}[/versions/{v}]/infer                   inference
 * </pre>
 *
 * @param endpoint which form of the grammar
 * @param model the model named, or {@code null} for the endpoints that name none
 * @param version the version named (or chosen by the gateway, see {@link #withVersion}),
 * or {@code null}
 * @param label the version label named, or {@code null}
 */
record DataPlaneRoute(Endpoint endpoint, String model, Long version, String label) {

	/** Model names a worker can serve (the model store's directory names). */
	public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/** Version labels ({@code stable}, {@code canary}, …). */
	public static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]{0,63}");

	private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

	/** Longest raw path considered at all; anything longer cannot be a route. */
	static final int MAX_PATH_LENGTH = 512;

	/**
	 * The forms of the grammar, with the method each answers and the key operation each
	 * needs.
	 */
	public enum Endpoint {

		/** {@code GET /v1/models}. */
		V1_MODELS("GET", "metadata", false),
		/** {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]}. */
		V1_STATUS("GET", "metadata", true),
		/** {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]/metadata}. */
		V1_METADATA("GET", "metadata", true),
		/**
		 * {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]/explanation-methods}: the
		 * explanation methods a version supports (needs the {@code explain} operation).
		 */
		V1_EXPLANATION_METHODS("GET", "explain", true),
		/** {@code POST /v1/models/{m}[...]:predict}. */
		V1_PREDICT("POST", "predict", true),
		/** {@code POST /v1/models/{m}[...]:classify}. */
		V1_CLASSIFY("POST", "predict", true),
		/** {@code POST /v1/models/{m}[...]:regress}. */
		V1_REGRESS("POST", "predict", true),
		/** {@code POST /v1/models/{m}[...]:explain}. */
		V1_EXPLAIN("POST", "explain", true),
		/**
		 * {@code POST /v1/models/{m}[/versions/{v}]:feedback}: the true outcomes of
		 * earlier predictions, answered by the gateway itself (needs the {@code feedback}
		 * operation).
		 */
		V1_FEEDBACK("POST", "feedback", true),
		/**
		 * {@code GET /v1/models/{m}[/versions/{v}]/feedback}: the caller's own live
		 * quality from its feedback, answered by the gateway itself (needs the
		 * {@code feedback} operation).
		 */
		V1_FEEDBACK_SUMMARY("GET", "feedback", true),
		/** {@code GET /v1/usage}, answered by the gateway itself. */
		V1_USAGE("GET", null, false),
		/** {@code GET /v2}. */
		V2_SERVER("GET", null, false),
		/** {@code GET /v2/health/live}. */
		V2_LIVE("GET", null, false),
		/** {@code GET /v2/health/ready}. */
		V2_READY("GET", null, false),
		/** {@code GET /v2/models/{m}[/versions/{v}]}. */
		V2_MODEL("GET", "metadata", true),
		/** {@code GET /v2/models/{m}[/versions/{v}]/ready}. */
		V2_MODEL_READY("GET", "metadata", true),
		/** {@code POST /v2/models/{m}[/versions/{v}]/infer}. */
		V2_INFER("POST", "predict", true);

		private final String method;

		private final String operation;

		private final boolean namesModel;

		Endpoint(String method, String operation, boolean namesModel) {
			this.method = method;
			this.operation = operation;
			this.namesModel = namesModel;
		}

		/** The one HTTP method this endpoint answers. */
		public String method() {
			return this.method;
		}

		/**
		 * The operation an API key needs ({@code predict}, {@code explain},
		 * {@code metadata}), or {@code null}.
		 */
		public String operation() {
			return this.operation;
		}

		/** Whether the endpoint names a model (and so needs the model's grant). */
		public boolean namesModel() {
			return this.namesModel;
		}

	}

	public DataPlaneRoute {
		if (endpoint.namesModel() != (model != null)) {
			throw new IllegalArgumentException(endpoint + " with model " + model);
		}
		if (version != null && label != null) {
			throw new IllegalArgumentException("a route names a version or a label, not both");
		}
	}

	/** The key operation this call needs, or {@code null}. */
	public String operation() {
		return this.endpoint.operation();
	}

	/**
	 * Whether the gateway chooses the version (pin, canary, stable): a prediction that
	 * names neither a version nor a label.
	 */
	public boolean choosesVersion() {
		return this.version == null && this.label == null && "POST".equals(this.endpoint.method())
				&& this.endpoint != Endpoint.V1_FEEDBACK;
	}

	/**
	 * Whether the body is a prediction or explanation request whose rows the plan limits
	 * ({@code max_rows_per_request}, for explanations also
	 * {@code max_rows_per_explanation}).
	 */
	public boolean countsRows() {
		return this.endpoint == Endpoint.V1_PREDICT || this.endpoint == Endpoint.V1_CLASSIFY
				|| this.endpoint == Endpoint.V1_REGRESS || this.endpoint == Endpoint.V2_INFER
				|| this.endpoint == Endpoint.V1_EXPLAIN;
	}

	/**
	 * Whether the body is that of the Open Inference Protocol (v2) rather than TensorFlow
	 * Serving's (v1).
	 */
	public boolean openInference() {
		return this.endpoint.name().startsWith("V2_");
	}

	/**
	 * Whether the gateway forwards this call to a worker (every endpoint but
	 * {@code /v1/usage} and the feedback endpoints, which the gateway answers itself).
	 */
	public boolean forwarded() {
		return this.endpoint != Endpoint.V1_USAGE && !feedback();
	}

	/**
	 * Whether this is {@code POST …:feedback} or {@code GET …/feedback}, answered by the
	 * gateway's feedback step.
	 */
	public boolean feedback() {
		return this.endpoint == Endpoint.V1_FEEDBACK || this.endpoint == Endpoint.V1_FEEDBACK_SUMMARY;
	}

	/**
	 * Whether the call spends model quota (every endpoint but {@code /v1/usage}, which
	 * has a read limit of its own); each feedback call spends one request like a
	 * prediction.
	 */
	public boolean spendsQuota() {
		return this.endpoint != Endpoint.V1_USAGE;
	}

	/** The same call, answered by the given version. */
	public DataPlaneRoute withVersion(long chosen) {
		return new DataPlaneRoute(this.endpoint, this.model, chosen, null);
	}

	/**
	 * The canonical path of this call: what the request log records and what is sent to
	 * the worker. Every part is from the grammar's alphabet, so it needs no encoding.
	 */
	public String path() {
		StringBuilder path = new StringBuilder(64);
		switch (this.endpoint) {
			case V1_MODELS -> path.append("/v1/models");
			case V1_USAGE -> path.append("/v1/usage");
			case V2_SERVER -> path.append("/v2");
			case V2_LIVE -> path.append("/v2/health/live");
			case V2_READY -> path.append("/v2/health/ready");
			default -> {
				path.append(openInference() ? "/v2/models/" : "/v1/models/").append(this.model);
				if (this.version != null) {
					path.append("/versions/").append(this.version);
				}
				else if (this.label != null) {
					path.append("/labels/").append(this.label);
				}
				switch (this.endpoint) {
					case V1_METADATA -> path.append("/metadata");
					case V1_EXPLANATION_METHODS -> path.append("/explanation-methods");
					case V1_PREDICT -> path.append(":predict");
					case V1_CLASSIFY -> path.append(":classify");
					case V1_REGRESS -> path.append(":regress");
					case V1_EXPLAIN -> path.append(":explain");
					case V1_FEEDBACK -> path.append(":feedback");
					case V1_FEEDBACK_SUMMARY -> path.append("/feedback");
					case V2_MODEL_READY -> path.append("/ready");
					case V2_INFER -> path.append("/infer");
					default -> {
					}
				}
			}
		}
		return path.toString();
	}

	@Override
	public String toString() {
		return this.endpoint.method() + " " + path();
	}

	/**
	 * Parses a raw (not yet decoded) request path.
	 * @param rawPath the path exactly as sent, without the query
	 * ({@code HttpServletRequest#getRequestURI()})
	 * @return the route
	 * @throws NoRouteException if the path is not one of the grammar's forms (404) or
	 * cannot be decoded (400)
	 */
	public static DataPlaneRoute parse(String rawPath) {
		if (rawPath == null || rawPath.length() > MAX_PATH_LENGTH || !rawPath.startsWith("/")) {
			throw NoRouteException.notFound();
		}
		List<String> raw = Arrays.asList(rawPath.substring(1).split("/", -1));
		if (raw.isEmpty()) {
			throw NoRouteException.notFound();
		}
		String protocol = decode(raw.get(0));
		if ("v1".equals(protocol)) {
			return v1(raw.subList(1, raw.size()));
		}
		if ("v2".equals(protocol)) {
			return v2(raw.subList(1, raw.size()));
		}
		throw NoRouteException.notFound();
	}

	private static DataPlaneRoute v1(List<String> raw) {
		if (raw.size() == 1 && "usage".equals(decode(raw.get(0)))) {
			return new DataPlaneRoute(Endpoint.V1_USAGE, null, null, null);
		}
		if (raw.isEmpty() || !"models".equals(decode(raw.get(0)))) {
			throw NoRouteException.notFound();
		}
		if (raw.size() == 1 || (raw.size() == 2 && raw.get(1).isEmpty())) {
			return new DataPlaneRoute(Endpoint.V1_MODELS, null, null, null);
		}
		// the verb is split off the raw last segment, so an encoded colon (%3A) stays
		// part of a name
		List<String> rest = raw.subList(1, raw.size());
		String last = rest.get(rest.size() - 1);
		int colon = last.indexOf(':');
		Endpoint endpoint = Endpoint.V1_STATUS;
		if (colon >= 0) {
			endpoint = switch (decode(last.substring(colon + 1))) {
				case "predict" -> Endpoint.V1_PREDICT;
				case "classify" -> Endpoint.V1_CLASSIFY;
				case "regress" -> Endpoint.V1_REGRESS;
				case "explain" -> Endpoint.V1_EXPLAIN;
				case "feedback" -> Endpoint.V1_FEEDBACK;
				default -> throw NoRouteException.notFound();
			};
			rest = new ArrayList<>(rest);
			rest.set(rest.size() - 1, last.substring(0, colon));
		}
		else if (rest.size() == 2 || rest.size() == 4) {
			endpoint = switch (decode(last)) {
				case "metadata" -> Endpoint.V1_METADATA;
				case "explanation-methods" -> Endpoint.V1_EXPLANATION_METHODS;
				case "feedback" -> Endpoint.V1_FEEDBACK_SUMMARY;
				default -> throw NoRouteException.notFound();
			};
			rest = rest.subList(0, rest.size() - 1);
		}
		String model = name(rest.get(0), MODEL_NAME);
		if (rest.size() == 1) {
			return new DataPlaneRoute(endpoint, model, null, null);
		}
		if (rest.size() != 3) {
			throw NoRouteException.notFound();
		}
		return switch (decode(rest.get(1))) {
			case "versions" -> new DataPlaneRoute(endpoint, model, version(rest.get(2)), null);
			// feedback is about the version that answered, never a label's current
			// version
			case "labels" -> (endpoint == Endpoint.V1_FEEDBACK || endpoint == Endpoint.V1_FEEDBACK_SUMMARY)
					? throwNotFound() : new DataPlaneRoute(endpoint, model, null, name(rest.get(2), LABEL));
			default -> throw NoRouteException.notFound();
		};
	}

	private static DataPlaneRoute v2(List<String> raw) {
		if (raw.isEmpty() || (raw.size() == 1 && raw.get(0).isEmpty())) {
			return new DataPlaneRoute(Endpoint.V2_SERVER, null, null, null);
		}
		String first = decode(raw.get(0));
		if ("health".equals(first) && raw.size() == 2) {
			return switch (decode(raw.get(1))) {
				case "live" -> new DataPlaneRoute(Endpoint.V2_LIVE, null, null, null);
				case "ready" -> new DataPlaneRoute(Endpoint.V2_READY, null, null, null);
				default -> throw NoRouteException.notFound();
			};
		}
		if (!"models".equals(first) || raw.size() < 2) {
			throw NoRouteException.notFound();
		}
		String model = name(raw.get(1), MODEL_NAME);
		List<String> rest = raw.subList(2, raw.size());
		Long version = null;
		if (rest.size() >= 2 && "versions".equals(decode(rest.get(0)))) {
			version = version(rest.get(1));
			rest = rest.subList(2, rest.size());
		}
		if (rest.isEmpty()) {
			return new DataPlaneRoute(Endpoint.V2_MODEL, model, version, null);
		}
		if (rest.size() == 1) {
			return switch (decode(rest.get(0))) {
				case "infer" -> new DataPlaneRoute(Endpoint.V2_INFER, model, version, null);
				case "ready" -> new DataPlaneRoute(Endpoint.V2_MODEL_READY, model, version, null);
				default -> throw NoRouteException.notFound();
			};
		}
		throw NoRouteException.notFound();
	}

	private static DataPlaneRoute throwNotFound() {
		throw NoRouteException.notFound();
	}

	private static String name(String raw, Pattern grammar) {
		String name = decode(raw);
		if (!grammar.matcher(name).matches()) {
			throw NoRouteException.notFound();
		}
		return name;
	}

	private static long version(String raw) {
		String digits = decode(raw);
		if (!VERSION.matcher(digits).matches()) {
			throw NoRouteException.notFound();
		}
		return Long.parseLong(digits);
	}

	/**
	 * Percent-decodes one path part exactly once, as UTF-8. {@code +} is a plus sign (it
	 * means a space only in form bodies). A malformed escape or bytes that are not UTF-8
	 * are a bad request.
	 */
	static String decode(String part) {
		if (part.indexOf('%') < 0) {
			return part;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
		for (int i = 0; i < part.length(); i++) {
			char c = part.charAt(i);
			if (c == '%') {
				if (i + 2 >= part.length()) {
					throw NoRouteException.badPath();
				}
				int high = Character.digit(part.charAt(i + 1), 16);
				int low = Character.digit(part.charAt(i + 2), 16);
				if (high < 0 || low < 0) {
					throw NoRouteException.badPath();
				}
				bytes.write((high << 4) | low);
				i += 2;
			}
			else if (c < 0x80) {
				bytes.write(c);
			}
			else {
				// Tomcat hands the raw path over as ISO-8859-1; a byte above 0x7F was
				// sent unescaped
				bytes.write(c & 0xFF);
			}
		}
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes.toByteArray()))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw NoRouteException.badPath();
		}
	}

	/**
	 * A path that is not a data-plane route: 404 {@code not_found}, or 400
	 * {@code invalid_path} if undecodable.
	 */
	public static final class NoRouteException extends RuntimeException {

		private final int status;

		private final String code;

		private NoRouteException(int status, String code, String message) {
			super(message, null, false, false);
			this.status = status;
			this.code = code;
		}

		static NoRouteException notFound() {
			return new NoRouteException(404, "not_found",
					"no data-plane endpoint at this path; see the API documentation for the paths Warden serves");
		}

		static NoRouteException badPath() {
			return new NoRouteException(400, "invalid_path",
					"the request path has a malformed percent-encoding or is not UTF-8");
		}

		public int status() {
			return this.status;
		}

		public String code() {
			return this.code;
		}

	}

}
