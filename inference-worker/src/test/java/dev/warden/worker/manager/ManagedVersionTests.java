package dev.warden.worker.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warden.worker.source.ServableId;

import org.junit.jupiter.api.Test;

class ManagedVersionTests {

	private final ManagedVersion<FakeLoader.FakeServable> version = new ManagedVersion<>(new ServableId("income", 1),
			new FakeLoader());

	@Test
	void versionIsHandedOutOnlyOnceAvailable() {
		version.loading();
		assertThat(version.acquire()).isFalse();

		version.available(null);

		assertThat(version.acquire()).isTrue();
		assertThat(version.state()).isEqualTo(VersionState.AVAILABLE);
	}

	@Test
	void unloadedVersionStaysOpenUntilTheLastHandleIsClosed() {
		version.available(null);
		ServableHandle<FakeLoader.FakeServable> first = new ServableHandle<>(acquired());
		ServableHandle<FakeLoader.FakeServable> second = new ServableHandle<>(acquired());

		version.unload();

		assertThat(version.state()).isEqualTo(VersionState.UNLOADING);
		assertThat(version.acquire()).isFalse();
		first.close();
		first.close();
		assertThat(version.state()).isEqualTo(VersionState.UNLOADING);
		second.close();
		assertThat(version.state()).isEqualTo(VersionState.END);
	}

	@Test
	void unloadWithoutHandlesEndsAtOnce() {
		version.available(null);

		version.unload();

		assertThat(version.state()).isEqualTo(VersionState.END);
		assertThat(version.status().failed()).isFalse();
	}

	@Test
	void failedVersionReportsEndWithItsError() {
		version.loading();

		version.failed("cannot load SavedModel income/1: bad proto");

		assertThat(version.status().state()).isEqualTo(VersionState.END);
		assertThat(version.status().error()).contains("bad proto");
		assertThat(version.acquire()).isFalse();
	}

	private ManagedVersion<FakeLoader.FakeServable> acquired() {
		assertThat(version.acquire()).isTrue();
		return version;
	}

}
