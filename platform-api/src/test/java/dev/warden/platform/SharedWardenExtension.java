package dev.warden.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a {@link WardenFixture} parameter to the one application shared by every test
 * class of the test JVM that declares this extension (the module runs its classes in two
 * JVMs, {@code warden.test.forks}, so there are up to two): started on first use with the
 * settings of a default install (plus {@link #CONSOLE_STATE_TOKEN}), its own test issuer
 * and a {@link FixedAnswerWorker} as its worker, and closed when the run ends (the root
 * store closes it).
 * <p>
 * Contract for the classes that share it: they need no setting of their own; they create
 * their own tenants, with names no other class uses, and scope every query that counts
 * rows to their own tenants, keys or records (or count before and after); they change
 * nothing another class relies on: no plan, policy file or stored setting, no restart of
 * the database (a change to every tenant, such as a re-wrap of the data keys, must leave
 * every key usable). Test methods run one after the other, never in parallel. A class
 * that needs any of that starts its own {@link WardenFixture}.
 */
public final class SharedWardenExtension implements ParameterResolver {

	/**
	 * The shared application's {@code warden.console-state.token}: the console state API
	 * is on, as in an install with a console.
	 */
	public static final String CONSOLE_STATE_TOKEN = "console-state-token-for-tests";

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(SharedWardenExtension.class);

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == WardenFixture.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return context.getRoot()
			.getStore(NAMESPACE)
			.computeIfAbsent(Shared.class, (key) -> Shared.start(), Shared.class)
			.warden();
	}

	/**
	 * The shared application (with its worker stand-in) and its data directory, closed in
	 * that order.
	 */
	private record Shared(WardenFixture warden, Path dataDir) implements AutoCloseable {

		static Shared start() {
			Path dataDir = null;
			try {
				dataDir = Files.createTempDirectory("warden-shared-app");
				return new Shared(WardenFixture.start(dataDir, FixedAnswerWorker.start(),
						Map.of("warden.console-state.token", CONSOLE_STATE_TOKEN)), dataDir);
			}
			catch (Exception ex) {
				deleteRecursively(dataDir);
				throw new IllegalStateException("the shared application could not be started", ex);
			}
		}

		@Override
		public void close() throws Exception {
			try {
				this.warden.close();
			}
			finally {
				deleteRecursively(this.dataDir);
			}
		}

		private static void deleteRecursively(Path dir) {
			if (dir == null || !Files.exists(dir)) {
				return;
			}
			try (Stream<Path> paths = Files.walk(dir)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
			catch (IOException ex) {
				// a temporary directory left behind is not a test failure
			}
		}

	}

}
