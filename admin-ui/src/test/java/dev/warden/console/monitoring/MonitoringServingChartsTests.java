package dev.warden.console.monitoring;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ServingCharts}: platform-api's points become one value per step per series (gaps
 * where a step has no latency), more than five quota limits end in "other", and the
 * totals and rows are rounded text.
 */
class MonitoringServingChartsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void pointsBecomeSeriesTotalsAndRows() {
		ServingCharts charts = ServingCharts.of(JSON.readTree("""
				{"model":"income","from":"2026-12-06T10:00:00Z","to":"2026-12-06T10:10:00Z","step":"5m",
				 "totals":{"requests":3,"answers":{"2xx":1,"4xx":2},"error_rate":0.0,
				  "errors_by_code":{"rate_limited":2},"quota_rejections_by_limit":{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1},
				  "latency_micros":{"p50":1234,"p95":56789,"p99":56789,"mean":20000,"max":60001}},
				 "points":[
				  {"time":"2026-12-06T10:00:00Z","requests":0,"error_rate":null,"errors_by_code":{},
				   "quota_rejections_by_limit":{},"latency_micros":{"p50":null,"p95":null,"p99":null}},
				  {"time":"2026-12-06T10:05:00Z","requests":3,"error_rate":0.0,"errors_by_code":{"rate_limited":2},
				   "quota_rejections_by_limit":{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1},
				   "latency_micros":{"p50":1234,"p95":56789,"p99":56789}}]}"""));
		assertThat(charts.stepSeconds()).isEqualTo(300);
		assertThat(charts.times()).containsExactly(1796551200L, 1796551500L);
		assertThat(charts.charts().get(0).series().get(0).values()).containsExactly(0.0, 0.01);
		assertThat(charts.charts().get(1).series().get(0).values()).containsExactly(null, 1.234);
		var quota = charts.charts().get(4).series();
		assertThat(quota.stream().map(ServingCharts.Series::label)).containsExactly("a", "b", "c", "d", "other");
		assertThat(quota.get(4).values()).containsExactly(0.0, 2.0);
		Map<String, String> totals = new java.util.LinkedHashMap<>();
		charts.totals().forEach((total) -> totals.put(total.key(), total.text()));
		assertThat(totals).containsEntry("requests", "3")
			.containsEntry("requests-per-second", "0.005")
			.containsEntry("answers", "2xx: 1, 4xx: 2")
			.containsEntry("p50", "1.2 ms")
			.containsEntry("p95", "56.8 ms")
			.containsEntry("max", "60 ms")
			.containsEntry("error-rate", "0 %");
		assertThat(charts.rows()).containsExactly(List.of("2026-12-06T10:05:00Z", "3", "0.01", "1.2", "56.8", "56.8",
				"0 %", "rate_limited: 2", "a: 1, b: 1, c: 1, d: 1, e: 1, f: 1"));
		assertThat(charts.empty()).isFalse();
	}

	@Test
	void oneRequestInAnHourStepIsNotRoundedAway() {
		ServingCharts charts = ServingCharts.of(JSON.readTree("""
				{"model":"income","from":"2026-12-06T10:00:00Z","to":"2026-12-06T12:00:00Z","step":"1h",
				 "totals":{"requests":1,"answers":{"2xx":1},"error_rate":0.0,"errors_by_code":{},
				  "quota_rejections_by_limit":{},"latency_micros":{"p50":900,"p95":900,"p99":900,"mean":900,"max":900}},
				 "points":[
				  {"time":"2026-12-06T10:00:00Z","requests":1,"error_rate":0.0,"errors_by_code":{},
				   "quota_rejections_by_limit":{},"latency_micros":{"p50":900,"p95":900,"p99":900}},
				  {"time":"2026-12-06T11:00:00Z","requests":0,"error_rate":null,"errors_by_code":{},
				   "quota_rejections_by_limit":{},"latency_micros":{"p50":null,"p95":null,"p99":null}}]}"""));
		// 1 / 3600 s and 1 / 7200 s, to three significant digits
		assertThat(charts.charts().get(0).series().get(0).values()).containsExactly(0.000278, 0.0);
		assertThat(charts.totals()).filteredOn((total) -> total.key().equals("requests-per-second"))
			.extracting(ServingCharts.Total::text)
			.containsExactly("0.000139");
	}

}
