package dev.warden.platform.system;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Reads a {@link PageRequest} from the query parameters {@code page} and {@code size}:
 * absent parameters take the defaults of {@code warden.admin-api.page}, anything else
 * than an integer in range is 400 {@code invalid_parameter}.
 */
final class PageRequestResolver implements HandlerMethodArgumentResolver {

	static final String PAGE = "page";

	static final String SIZE = "size";

	private final AdminApiProperties.Paging paging;

	PageRequestResolver(AdminApiProperties.Paging paging) {
		this.paging = paging;
	}

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.getParameterType() == PageRequest.class;
	}

	@Override
	public PageRequest resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
			NativeWebRequest request, WebDataBinderFactory binderFactory) {
		int page = integer(request, PAGE, 0, 0, Integer.MAX_VALUE - 1);
		int size = integer(request, SIZE, this.paging.defaultSize(), 1, this.paging.maxSize());
		return new PageRequest(page, size);
	}

	private static int integer(NativeWebRequest request, String name, int absent, int min, int max) {
		String value = request.getParameter(name);
		if (value == null) {
			return absent;
		}
		try {
			int number = Integer.parseInt(value);
			if (number >= min && number <= max) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw ApiException.badRequest("invalid_parameter", name + ": must be an integer from " + min + " to " + max);
	}

}
