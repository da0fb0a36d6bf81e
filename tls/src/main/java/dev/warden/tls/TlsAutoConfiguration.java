package dev.warden.tls;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.ssl.SslBundleRegistry;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The server side of {@code warden.tls.*}, active when a certificate is configured: the
 * SSL bundle the web server uses ({@value TlsEnvironmentPostProcessor#SERVER_BUNDLE}),
 * reloaded without a restart when its files change (checked every
 * {@code warden.tls.reload-interval}, 2 s), and the plain-HTTP port that only redirects
 * to HTTPS when {@code warden.tls.http-port} is set.
 */
@AutoConfiguration
@ConditionalOnProperty(name = "warden.tls.enabled", havingValue = "true")
public class TlsAutoConfiguration {

	@Bean
	TlsSettings wardenTlsSettings(Environment environment) {
		return TlsSettings.from(environment);
	}

	@Bean
	SslBundleRegistrar wardenServerBundle(TlsSettings settings) {
		return (registry) -> registry.registerBundle(TlsEnvironmentPostProcessor.SERVER_BUNDLE,
				TlsMaterial.load(settings).serverBundle(settings));
	}

	@Bean
	ServerCertificateReloader wardenServerCertificateReloader(TlsSettings settings, SslBundleRegistry registry,
			Environment environment) {
		return new ServerCertificateReloader(settings, registry,
				environment.getProperty("warden.tls.reload-interval", Duration.class, Duration.ofSeconds(2)));
	}

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> wardenHttpRedirect(TlsSettings settings) {
		return (factory) -> {
			if (settings.httpPort() == null) {
				return;
			}
			Connector plain = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
			plain.setScheme("http");
			plain.setPort(settings.httpPort());
			plain.setSecure(false);
			plain.setRedirectPort(factory.getPort());
			factory.addAdditionalConnectors(plain);
			factory.addContextCustomizers((context) -> {
				SecurityConstraint confidential = new SecurityConstraint();
				confidential.setUserConstraint("CONFIDENTIAL");
				SecurityCollection everything = new SecurityCollection();
				everything.addPattern("/*");
				confidential.addCollection(everything);
				context.addConstraint(confidential);
			});
		};
	}

	/**
	 * Checks the server's certificate files and, when they changed and form a consistent
	 * pair again, hands the new bundle to the web server (new handshakes use it; open
	 * connections keep theirs).
	 */
	static final class ServerCertificateReloader implements SmartLifecycle {

		private static final Logger log = LoggerFactory.getLogger(ServerCertificateReloader.class);

		private final TlsSettings settings;

		private final SslBundleRegistry registry;

		private final Duration interval;

		private volatile Object stamp;

		private volatile ScheduledExecutorService scheduler;

		private volatile String failure;

		ServerCertificateReloader(TlsSettings settings, SslBundleRegistry registry, Duration interval) {
			this.settings = settings;
			this.registry = registry;
			this.interval = interval;
			this.stamp = TlsMaterial.stamp(settings);
		}

		@Override
		public void start() {
			this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "tls-certificate-reload");
				thread.setDaemon(true);
				return thread;
			});
			this.scheduler.scheduleWithFixedDelay(this::check, this.interval.toMillis(), this.interval.toMillis(),
					TimeUnit.MILLISECONDS);
		}

		void check() {
			Object now = TlsMaterial.stamp(this.settings);
			if (now.equals(this.stamp)) {
				return;
			}
			try {
				TlsMaterial material = TlsMaterial.load(this.settings);
				this.registry.updateBundle(TlsEnvironmentPostProcessor.SERVER_BUNDLE,
						material.serverBundle(this.settings));
				this.stamp = material.stamp();
				this.failure = null;
				log.info("TLS certificate reloaded from {}: new connections are served with {} (valid until {})",
						this.settings.files(), material.leaf().getSubjectX500Principal().getName(),
						material.leaf().getNotAfter().toInstant());
			}
			catch (RuntimeException ex) {
				if (!ex.getMessage().equals(this.failure)) {
					this.failure = ex.getMessage();
					log.warn("TLS files changed but cannot be used (yet); still serving the previous certificate: {}",
							ex.getMessage());
				}
			}
		}

		@Override
		public void stop() {
			ScheduledExecutorService running = this.scheduler;
			if (running != null) {
				running.shutdownNow();
				this.scheduler = null;
			}
		}

		@Override
		public boolean isRunning() {
			return this.scheduler != null;
		}

	}

}
