package dev.warden.console.state;

import java.time.Clock;
import java.time.Duration;

import dev.warden.console.StubConsoleState;
import dev.warden.console.StubPlatformApi;
import dev.warden.console.adminapi.AdminApiProperties;
import dev.warden.console.adminapi.PlatformApiConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared session repository against the stand-in of platform-api's console state API:
 * what it writes, when, and how two requests of one user on two replicas meet.
 */
class SharedSessionRepositoryTests {

	private final StubPlatformApi platformApi = new StubPlatformApi();

	private final PlatformApiConnections connections = new PlatformApiConnections(
			new AdminApiProperties(this.platformApi.url(), Duration.ofSeconds(2), Duration.ofSeconds(10)));

	private final SharedSessionRepository replicaA = repository();

	private final SharedSessionRepository replicaB = repository();

	@AfterEach
	void stop() {
		this.connections.destroy();
		this.platformApi.close();
	}

	private SharedSessionRepository repository() {
		return new SharedSessionRepository(
				new ConsoleStateClient(this.connections.restClient(), StubConsoleState.TOKEN), Duration.ofMinutes(30),
				Clock.systemUTC());
	}

	@Test
	void sessionsAreStoredUnderTheHashOfTheirIdWithTheirTimeout() {
		var session = this.replicaA.createSession();
		session.setAttribute("a", "1");
		this.replicaA.save(session);

		assertThat(this.platformApi.consoleState().sessions()).containsOnlyKeys(Hashes.sha256Hex(session.getId()));
		assertThat(this.platformApi.consoleState().sessions().values().iterator().next().toString())
			.doesNotContain(session.getId())
			.contains("\"max_inactive_seconds\":1800");
		assertThat(this.replicaB.findById(session.getId()).<String>getAttribute("a")).isEqualTo("1");
	}

	@Test
	void aRequestThatOnlyReadsDoesNotWrite() {
		var session = this.replicaA.createSession();
		session.setAttribute("a", "1");
		this.replicaA.save(session);
		int writes = this.platformApi.consoleState().sessionWrites();

		var read = this.replicaB.findById(session.getId());
		read.setLastAccessedTime(read.getLastAccessedTime().plusSeconds(30));
		this.replicaB.save(read);
		assertThat(this.platformApi.consoleState().sessionWrites()).isEqualTo(writes);

		read.setLastAccessedTime(read.getLastAccessedTime().plusSeconds(31));
		this.replicaB.save(read);
		assertThat(this.platformApi.consoleState().sessionWrites()).isEqualTo(writes + 1);
	}

	@Test
	void twoRequestsOnTwoReplicasKeepEachOthersChanges() {
		var session = this.replicaA.createSession();
		session.setAttribute("kept", "0");
		session.setAttribute("removed", "0");
		this.replicaA.save(session);

		var onA = this.replicaA.findById(session.getId());
		var onB = this.replicaB.findById(session.getId());
		onA.setAttribute("a", "1");
		onB.setAttribute("b", "2");
		onB.removeAttribute("removed");
		this.replicaA.save(onA);
		this.replicaB.save(onB);

		var merged = this.replicaA.findById(session.getId());
		assertThat(merged.getAttributeNames()).containsExactlyInAnyOrder("kept", "a", "b");
	}

	@Test
	void aSessionSignedOutOnOneReplicaIsNotBroughtBackByTheOther() {
		var session = this.replicaA.createSession();
		session.setAttribute("a", "1");
		this.replicaA.save(session);
		var inFlightOnB = this.replicaB.findById(session.getId());

		this.replicaA.deleteById(session.getId());
		inFlightOnB.setAttribute("b", "2");
		this.replicaB.save(inFlightOnB);

		assertThat(this.replicaA.findById(session.getId())).isNull();
		assertThat(this.platformApi.consoleState().sessions()).isEmpty();
	}

	@Test
	void aChangedIdMovesTheSession() {
		var session = this.replicaA.createSession();
		session.setAttribute("a", "1");
		this.replicaA.save(session);
		String before = session.getId();

		var loaded = this.replicaB.findById(before);
		String after = loaded.changeSessionId();
		this.replicaB.save(loaded);

		assertThat(this.replicaA.findById(before)).isNull();
		assertThat(this.replicaA.findById(after).<String>getAttribute("a")).isEqualTo("1");
		assertThat(this.platformApi.consoleState().sessions()).containsOnlyKeys(Hashes.sha256Hex(after));
	}

}
