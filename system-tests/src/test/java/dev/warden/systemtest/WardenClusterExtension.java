package dev.warden.systemtest;

import java.nio.file.Files;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link WardenCluster} per test JVM, on first use, and stops it when the test
 * run ends (the root store closes it). {@link Tls} starts the one cluster with TLS
 * everywhere instead, for the classes that use it.
 */
class WardenClusterExtension implements BeforeAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(WardenCluster.class);

	/** The cluster this extension starts. */
	WardenCluster.Options options() {
		return WardenCluster.Options.PLAIN;
	}

	/** Called once, after the cluster started. */
	void started(WardenCluster cluster) {
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		cluster(context);
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == WardenCluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return cluster(extensionContext);
	}

	private WardenCluster cluster(ExtensionContext context) {
		WardenCluster.Options options = options();
		return context.getRoot().getStore(NAMESPACE).computeIfAbsent(options, (key) -> {
			try {
				WardenCluster cluster = WardenCluster
					.start(Files.createTempDirectory("warden-system-test" + (options.tls() ? "-tls" : "")), options);
				started(cluster);
				return cluster;
			}
			catch (Exception e) {
				throw new IllegalStateException("could not start the Warden cluster", e);
			}
		}, WardenCluster.class);
	}

	/**
	 * The cluster with TLS everywhere ({@link WardenCluster.Options#TLS}), one per JVM,
	 * for the TLS tests and the drift test (which must have a cluster's traffic to
	 * itself), one of them at a time ({@link WardenCluster#TLS_CLUSTER}). Once it runs,
	 * the test JVM's default TLS context trusts the cluster's CA (besides the JDK's CAs,
	 * never anything else), so that the tests' clients ({@link Http}, the
	 * authorization-code flow) reach it over HTTPS with the usual certificate and
	 * host-name checks.
	 */
	static final class Tls extends WardenClusterExtension {

		@Override
		WardenCluster.Options options() {
			return WardenCluster.Options.TLS;
		}

		@Override
		void started(WardenCluster cluster) {
			javax.net.ssl.SSLContext.setDefault(cluster.tlsContext(null));
		}

	}

}
