package dev.warden.platform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The periodic jobs of platform-api are scheduled from their properties records: each
 * setting, given a value no default has, is the interval and the first delay of a
 * fixed-delay task of the started application.
 */
class ScheduledSettingsIntegrationTests {

	private static final Map<String, Duration> SETTINGS = Map.of("warden.keys.last-used-flush-interval",
			Duration.ofMillis(61_001), "warden.audit.digest-interval", Duration.ofMillis(61_002),
			"warden.usage.flush-interval", Duration.ofMillis(61_003), "warden.quota.plans-reload-interval",
			Duration.ofMillis(61_004), "warden.request-log.settings-refresh-interval", Duration.ofMillis(61_005),
			"warden.monitoring.serving.flush-interval", Duration.ofMillis(61_006), "warden.monitoring.alerts.tick",
			Duration.ofMillis(61_007));

	@TempDir
	static Path dataDir;

	static WardenTestApp app;

	@BeforeAll
	static void start() {
		Map<String, Object> properties = new HashMap<>();
		SETTINGS.forEach((name, value) -> properties.put(name, value.toMillis() + "ms"));
		app = WardenTestApp.start(dataDir, properties);
	}

	@AfterAll
	static void stop() {
		app.close();
	}

	@Test
	void everyIntervalSettingIsTheDelayOfItsTask() {
		List<FixedDelayTask> tasks = app.bean(ScheduledTaskHolder.class)
			.getScheduledTasks()
			.stream()
			.map((scheduled) -> scheduled.getTask())
			.filter(FixedDelayTask.class::isInstance)
			.map(FixedDelayTask.class::cast)
			.toList();
		SETTINGS.forEach((name, interval) -> assertThat(tasks).as(name)
			.filteredOn((task) -> task.getIntervalDuration().equals(interval))
			.singleElement()
			.satisfies((task) -> assertThat(task.getInitialDelayDuration()).as(name).isEqualTo(interval)));
	}

}
