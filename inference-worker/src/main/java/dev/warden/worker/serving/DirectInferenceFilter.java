package dev.warden.worker.serving;

import java.io.IOException;

import dev.warden.worker.manager.ServableRequest;
import dev.warden.worker.system.ErrorResponses;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Predict ({@code POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict}) and the Open
 * Inference Protocol's infer ({@code POST /v2/models/{m}[/versions/{v}]/infer}) without
 * Spring MVC's dispatch: the last filter of the chain recognises the plain forms of those
 * paths and runs {@link PredictionController}'s predict or
 * {@link V2InferenceController}'s infer itself. Profiles of the worker at 64 clients
 * showed about two fifths of a request thread's Java time in the dispatcher for predict:
 * finding the handler (the path is a pattern, matched against every mapping of the worker
 * in turn), converting the body to {@code byte[]} through the message converters, and the
 * method's arguments. What runs is the same code as through MVC: the same filters before
 * it, the same parser, batching and answer writer, and errors go through the same
 * exception handler ({@code ApiExceptionHandler}, by way of the dispatcher's
 * {@code HandlerExceptionResolver}), so an answer cannot tell which way it came.
 * <p>
 * Anything else is passed on to MVC unchanged, including every such request this filter
 * does not recognise exactly (percent-encoded or unusual characters in a name, a version
 * that is not a number, a trailing slash, a content type other than JSON, no body): MVC's
 * answers for those (404, 405, 415, 400) stay the only ones.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class DirectInferenceFilter extends OncePerRequestFilter {

	private static final String PREFIX = "/v1/models/";

	private static final String VERB = ":predict";

	private static final String V2_PREFIX = "/v2/models/";

	private static final String V2_VERB = "/infer";

	private static final String VERSIONS = "/versions/";

	private static final String LABELS = "/labels/";

	private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

	private final PredictionController controller;

	private final V2InferenceController v2;

	private final HandlerExceptionResolver errors;

	DirectInferenceFilter(PredictionController controller, V2InferenceController v2,
			@Qualifier("handlerExceptionResolver") HandlerExceptionResolver errors) {
		this.controller = controller;
		this.v2 = v2;
		this.errors = errors;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		boolean candidate = "POST".equals(request.getMethod()) && request.getContentLengthLong() != 0
				&& isJson(request.getContentType());
		ServableRequest predict = candidate ? target(request.getRequestURI()) : null;
		ServableRequest infer = (candidate && predict == null) ? inferTarget(request.getRequestURI()) : null;
		if (predict == null && infer == null) {
			chain.doFilter(request, response);
			return;
		}
		try {
			byte[] body = request.getInputStream().readAllBytes();
			if (body.length == 0) {
				throw new HttpMessageNotReadableException("request body is missing",
						new ServletServerHttpRequest(request));
			}
			if (predict != null) {
				this.controller.predict(predict, body, response);
			}
			else {
				this.v2.infer(infer.model(), infer.version(), body, response);
			}
		}
		catch (Exception ex) {
			ErrorResponses.resolve(this.errors, request, response, ex);
		}
	}

	/**
	 * The servable a plain predict path names, or {@code null} for anything else (left to
	 * MVC).
	 */
	static ServableRequest target(String uri) {
		return servable(uri, PREFIX, VERB, true);
	}

	/**
	 * The servable a plain v2 infer path names, or {@code null} for anything else (left
	 * to MVC).
	 */
	static ServableRequest inferTarget(String uri) {
		return servable(uri, V2_PREFIX, V2_VERB, false);
	}

	/**
	 * {@code prefix} + a name + optionally {@code /versions/N} (or {@code /labels/L} when
	 * {@code labels}) + {@code verb}, or {@code null}.
	 */
	private static ServableRequest servable(String uri, String prefix, String verb, boolean labels) {
		if (uri.length() <= prefix.length() + verb.length() || !uri.startsWith(prefix) || !uri.endsWith(verb)) {
			return null;
		}
		String path = uri.substring(prefix.length(), uri.length() - verb.length());
		int slash = path.indexOf('/');
		String model = (slash < 0) ? path : path.substring(0, slash);
		if (!isName(model)) {
			return null;
		}
		if (slash < 0) {
			return ServableRequest.latest(model);
		}
		String rest = path.substring(slash);
		if (rest.startsWith(VERSIONS)) {
			String version = rest.substring(VERSIONS.length());
			return isVersion(version) ? ServableRequest.version(model, Long.parseLong(version)) : null;
		}
		if (labels && rest.startsWith(LABELS)) {
			String label = rest.substring(LABELS.length());
			return isName(label) ? ServableRequest.label(model, label) : null;
		}
		return null;
	}

	/** Letters, digits, {@code . _ -}: nothing MVC would decode or treat specially. */
	private static boolean isName(String s) {
		if (s.isEmpty() || s.equals(".") || s.equals("..")) {
			return false;
		}
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
					|| c == '-')) {
				return false;
			}
		}
		return true;
	}

	private static boolean isVersion(String s) {
		if (s.isEmpty() || s.length() > 18) {
			return false;
		}
		for (int i = 0; i < s.length(); i++) {
			if (s.charAt(i) < '0' || s.charAt(i) > '9') {
				return false;
			}
		}
		return true;
	}

	/**
	 * {@code application/json} or {@code application/*+json}, as the MVC mapping
	 * consumes.
	 */
	private static boolean isJson(String contentType) {
		if (contentType == null) {
			return false;
		}
		if (contentType.equalsIgnoreCase(JSON)) {
			// what clients send: no need to parse it (parsing was ~3 % of a request
			// thread's samples)
			return true;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return "application".equals(type.getType())
					&& ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

}
