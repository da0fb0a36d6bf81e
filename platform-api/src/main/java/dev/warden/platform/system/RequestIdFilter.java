package dev.warden.platform.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * First filter of every request (data plane and admin API): choose the request id and
 * echo it.
 */
@Component
public class RequestIdFilter extends OncePerRequestFilter implements Ordered {

	/** Runs before everything else, including the request log and Spring Security. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String id = RequestIds.choose(request.getHeader(RequestIds.HEADER));
		request.setAttribute(RequestIds.ATTRIBUTE, id);
		response.setHeader(RequestIds.HEADER, id);
		chain.doFilter(request, response);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
