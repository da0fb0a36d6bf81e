package dev.warden.systemtest;

import java.nio.file.Files;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link WardenCluster} per test JVM, on first use, and stops it when the test
 * run ends (the root store closes it).
 */
final class WardenClusterExtension implements BeforeAllCallback, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(WardenCluster.class);

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

	private static WardenCluster cluster(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).computeIfAbsent("cluster", key -> {
			try {
				return WardenCluster.start(Files.createTempDirectory("warden-system-test"));
			}
			catch (Exception e) {
				throw new IllegalStateException("could not start the Warden cluster", e);
			}
		}, WardenCluster.class);
	}

}
