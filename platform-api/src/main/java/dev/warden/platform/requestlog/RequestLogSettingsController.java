package dev.warden.platform.requestlog;

import com.fasterxml.jackson.annotation.JsonAlias;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.requestlog.RequestLogSettings.Current;

/**
 * Request-log settings: read by ADMIN and COMPLIANCE, changed by ADMIN (the admin
 * security chain enforces both); every change is audited.
 */
@RestController
@RequestMapping(path = "/api/admin/settings/request-log", produces = MediaType.APPLICATION_JSON_VALUE)
class RequestLogSettingsController {

	private final RequestLogSettings settings;

	RequestLogSettingsController(RequestLogSettings settings) {
		this.settings = settings;
	}

	@GetMapping
	Current get() {
		return this.settings.current();
	}

	/**
	 * Switches fail-open on or off for every replica (each applies it within the refresh
	 * interval).
	 */
	@PutMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
	Current put(@Valid @RequestBody SettingsRequest request, Authentication user) {
		return this.settings.setFailOpen(request.failOpen(), user.getName());
	}

	record SettingsRequest(@NotNull @JsonAlias("failOpen") Boolean failOpen) {
	}

}
