package dev.warden.console.system;

import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.web.WebProperties;
import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.webmvc.autoconfigure.error.BasicErrorController;
import org.springframework.boot.webmvc.autoconfigure.error.ErrorViewResolver;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;

/**
 * Spring Boot's error controller (the {@code error} template for browsers, JSON
 * otherwise; never a stack trace or an exception message, as {@code server.error.*} is
 * left at its defaults), except that {@code /error} requested directly answers 404 like
 * any page that does not exist. Boot's own controller knows no status for such a request
 * and answered 500 ("status 999").
 */
@Controller
class ConsoleErrorController extends BasicErrorController {

	ConsoleErrorController(ErrorAttributes errorAttributes, WebProperties web,
			ObjectProvider<ErrorViewResolver> errorViewResolvers) {
		super(errorAttributes, web.getError(), errorViewResolvers.orderedStream().toList());
	}

	@Override
	protected HttpStatus getStatus(HttpServletRequest request) {
		return isErrorDispatch(request) ? super.getStatus(request) : HttpStatus.NOT_FOUND;
	}

	@Override
	protected Map<String, Object> getErrorAttributes(HttpServletRequest request, ErrorAttributeOptions options) {
		Map<String, Object> attributes = super.getErrorAttributes(request, options);
		if (!isErrorDispatch(request)) {
			attributes.put("status", HttpStatus.NOT_FOUND.value());
			attributes.put("error", HttpStatus.NOT_FOUND.getReasonPhrase());
		}
		return attributes;
	}

	/**
	 * The container sets the status attribute when it forwards an error to this
	 * controller.
	 */
	private static boolean isErrorDispatch(HttpServletRequest request) {
		return request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) != null;
	}

}
