package dev.warden.console.adminapi;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.http.MediaType;

/**
 * Reads a binary answer of the admin API (a PDF, an export) while it streams; called only
 * for a successful answer, an error answer is an {@link AdminApiException} instead.
 */
@FunctionalInterface
public interface Download {

	void read(MediaType contentType, InputStream body) throws IOException;

}
