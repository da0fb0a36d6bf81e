package dev.warden.platform.apikey;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.warden.platform.apikey.internal.ApiKeyRepository;
import dev.warden.platform.apikey.internal.KeyIndex;

/** The in-memory index of API keys, with its settings from {@link ApiKeyProperties}. */
@Configuration(proxyBeanMethods = false)
class ApiKeyConfiguration {

	@Bean
	KeyIndex keyIndex(ApiKeyRepository keys, DataSource dataSource, ApiKeyProperties properties) {
		return new KeyIndex(keys, dataSource, properties.indexRefreshInterval(), properties.indexMaxLag());
	}

}
