package dev.warden.platform.model;

import jakarta.servlet.MultipartConfigElement;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Multipart limits derived from {@code warden.models.upload.max-bytes}, so that one
 * setting governs uploads: the servlet container stops reading a larger file and the
 * request is answered 413 (see the system module's error mapping) instead of buffering
 * it. Replaces Spring Boot's {@code spring.servlet.multipart.*} element.
 */
@Configuration(proxyBeanMethods = false)
class ModelUploadConfiguration {

	/** Room for the multipart framing and the other (small) parts around the file. */
	static final long MULTIPART_OVERHEAD_BYTES = 64 * 1024;

	@Bean
	MultipartConfigElement multipartConfigElement(ModelStoreProperties properties) {
		long maxFile = properties.upload().maxBytes().toBytes();
		// fileSizeThreshold 0: every part goes to a temporary file, never to the heap
		return new MultipartConfigElement("", maxFile, maxFile + MULTIPART_OVERHEAD_BYTES, 0);
	}

}
