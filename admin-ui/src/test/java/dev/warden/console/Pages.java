package dev.warden.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.warden.console.identity.AuthorizationCodeFlowClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the page tests do with a console page: sign in as a configured user (password
 * {@code <user>-local}), read the CSRF token, find all matches of a pattern, cut a part
 * out of the HTML, undo HTML escaping, build a multipart form body, and read the roles of
 * a bearer token the stand-in admin API received.
 */
public final class Pages {

	public static final String BOUNDARY = "----warden-test-boundary";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern FIELD = Pattern.compile("<textarea[^>]*>([^<]*)</textarea>|<input[^>]*>");

	private Pages() {
	}

	public static String csrf(String html) {
		return AuthorizationCodeFlowClient.csrfToken(html).orElseThrow();
	}

	/** The given group of every match, in order. */
	public static List<String> all(Pattern pattern, String text, int group) {
		List<String> result = new ArrayList<>();
		Matcher matcher = pattern.matcher(text);
		while (matcher.find()) {
			result.add(matcher.group(group));
		}
		return result;
	}

	/** The text between the first {@code start} and the next {@code end} after it. */
	public static String between(String text, String start, String end) {
		int from = text.indexOf(start);
		if (from < 0) {
			throw new AssertionError("'" + start + "' is not in the page");
		}
		from += start.length();
		int to = text.indexOf(end, from);
		if (to < 0) {
			throw new AssertionError("'" + end + "' does not follow '" + start + "' in the page");
		}
		return text.substring(from, to);
	}

	public static String unescape(String html) {
		return html.replace("&lt;", "<")
			.replace("&gt;", ">")
			.replace("&quot;", "\"")
			.replace("&#39;", "'")
			.replace("&amp;", "&");
	}

	/**
	 * A multipart form body (boundary {@link #BOUNDARY}) with the fields and one CSV
	 * file.
	 */
	public static String multipart(Map<String, String> fields, String fileName, String content) {
		StringBuilder body = new StringBuilder();
		fields.forEach((name, value) -> body.append("--")
			.append(BOUNDARY)
			.append("\r\nContent-Disposition: form-data; name=\"")
			.append(name)
			.append("\"\r\n\r\n")
			.append(value)
			.append("\r\n"));
		body.append("--")
			.append(BOUNDARY)
			.append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
			.append(fileName)
			.append("\"\r\nContent-Type: text/csv\r\n\r\n")
			.append(content)
			.append("\r\n--")
			.append(BOUNDARY)
			.append("--\r\n");
		return body.toString();
	}

	/** The roles of the bearer token in an {@code Authorization} header. */
	public static List<String> roles(String authorization) {
		String claims = AuthorizationCodeFlowClient.jwtPayload(authorization.substring("Bearer ".length()));
		return JSON.readTree(claims).path("roles").values().stream().map((role) -> role.asString()).toList();
	}

	/** The subject of the bearer token in an {@code Authorization} header. */
	public static String subject(String authorization) {
		String claims = AuthorizationCodeFlowClient.jwtPayload(authorization.substring("Bearer ".length()));
		return JSON.readTree(claims).path("sub").asString();
	}

	public static <T> T last(List<T> list) {
		if (list.isEmpty()) {
			throw new AssertionError("nothing was received");
		}
		return list.get(list.size() - 1);
	}

	/**
	 * The fields a browser would send for the first form whose opening tag contains
	 * {@code marker}: every input's value (a radio button or check box only when checked)
	 * and every text area's text, unescaped, in the page's order.
	 */
	public static Map<String, String> formFields(String html, String marker) {
		String form = between(html, marker, "</form>");
		Map<String, String> fields = new java.util.LinkedHashMap<>();
		Matcher field = FIELD.matcher(form);
		while (field.find()) {
			String tag = field.group(0);
			String name = attribute(tag, "name");
			if (name == null) {
				continue;
			}
			if (tag.startsWith("<textarea")) {
				// a text area's first line break after the tag is not part of its value
				String text = unescape(field.group(1));
				fields.put(name, text.startsWith("\n") ? text.substring(1) : text);
				continue;
			}
			String type = attribute(tag, "type");
			if (("radio".equals(type) || "checkbox".equals(type)) && !tag.contains(" checked")) {
				continue;
			}
			String value = attribute(tag, "value");
			fields.put(name, (value != null) ? unescape(value) : "");
		}
		return fields;
	}

	private static String attribute(String tag, String name) {
		Matcher attribute = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(tag);
		return attribute.find() ? attribute.group(1) : null;
	}

	/** The decoded query parameters of a request the stand-in received. */
	public static Map<String, List<String>> query(String rawQuery) {
		return StubGovernanceApi.parameters(rawQuery);
	}

}
