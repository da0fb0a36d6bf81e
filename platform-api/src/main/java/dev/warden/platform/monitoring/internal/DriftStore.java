package dev.warden.platform.monitoring.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * {@code drift_reference_profiles} and {@code drift_live_chunks}: profiles stored and
 * read, live chunks added up (additive upserts, so that replicas sum) and read.
 */
@Repository
public class DriftStore {

	/**
	 * One statement for any number of chunks, in primary-key order so that two replicas
	 * lock overlapping rows in the same order; counts are added element-wise, the new
	 * categories key-wise.
	 */
	private static final String ADD = """
			INSERT INTO drift_live_chunks AS d (model, version, profile_id, chunk, requests, samples, skipped, counts,
			    new_categories)
			SELECT t.model, t.version, t.profile_id, to_timestamp(t.chunk), t.requests, t.samples, t.skipped,
			    CAST(t.counts AS bigint[]), CAST(t.categories AS jsonb)
			FROM unnest(?::text[], ?::bigint[], ?::uuid[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
			    ?::text[], ?::text[]) AS t(model, version, profile_id, chunk, requests, samples, skipped, counts,
			    categories)
			ORDER BY t.model, t.version, t.profile_id, t.chunk
			ON CONFLICT (model, version, profile_id, chunk) DO UPDATE SET
			    requests = d.requests + EXCLUDED.requests,
			    samples = d.samples + EXCLUDED.samples,
			    skipped = d.skipped + EXCLUDED.skipped,
			    counts = serving_add_buckets(d.counts, EXCLUDED.counts),
			    new_categories = drift_add_categories(d.new_categories, EXCLUDED.new_categories),
			    updated_at = now()
			""";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcTemplate jdbcTemplate;

	private final JdbcClient jdbc;

	DriftStore(JdbcTemplate jdbcTemplate, JdbcClient jdbc) {
		this.jdbcTemplate = jdbcTemplate;
		this.jdbc = jdbc;
	}

	/** Stores a profile (in the caller's transaction). */
	public void storeProfile(UUID id, String model, long version, UUID datasetId, String datasetSha256,
			String modelSha256, JsonNode profile, String actor) {
		this.jdbc
			.sql("INSERT INTO drift_reference_profiles (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "layout_size, profile, created_by) VALUES (:id, :model, :version, :dataset, :datasetSha, "
					+ ":modelSha, :size, CAST(:profile AS jsonb), :actor)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetId)
			.param("datasetSha", datasetSha256)
			.param("modelSha", modelSha256)
			.param("size", profile.path("layout_size").asInt())
			.param("profile", JSON.writeValueAsString(profile))
			.param("actor", actor)
			.update();
	}

	/** The versions of {@code model} that have a reference profile, ascending. */
	public List<Long> profiledVersions(String model) {
		return this.jdbc
			.sql("SELECT DISTINCT version FROM drift_reference_profiles WHERE model = :model ORDER BY version")
			.param("model", model)
			.query(Long.class)
			.list();
	}

	/** The version's newest profile. */
	public Optional<StoredProfile> newestProfile(String model, long version) {
		return this.jdbc
			.sql("SELECT id, dataset_id, dataset_sha256, model_sha256, profile::text AS profile, created_by, "
					+ "created_at FROM drift_reference_profiles WHERE model = :model AND version = :version "
					+ "ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> {
				UUID id = rs.getObject("id", UUID.class);
				JsonNode json = JSON.readTree(rs.getString("profile"));
				return new StoredProfile(DriftProfile.parse(id, model, version, json),
						rs.getObject("dataset_id", UUID.class), rs.getString("dataset_sha256"),
						rs.getString("model_sha256"), rs.getString("created_by"),
						rs.getTimestamp("created_at").toInstant());
			})
			.optional();
	}

	/**
	 * Adds the chunks (each key at most once) in one statement; a value not in the
	 * reference is named only when a chunk saw it at least {@code k} (of its model)
	 * times.
	 */
	public void add(List<LiveChunk> deltas, java.util.function.ToIntFunction<String> k) {
		List<LiveChunk> chunks = new ArrayList<>(deltas);
		chunks.sort(Comparator.comparing((LiveChunk c) -> c.key().model())
			.thenComparingLong((c) -> c.key().version())
			.thenComparing((c) -> c.key().profileId())
			.thenComparingLong((c) -> c.key().chunk()));
		int n = chunks.size();
		String[] models = new String[n];
		Long[] versions = new Long[n];
		UUID[] profiles = new UUID[n];
		Long[] starts = new Long[n];
		Long[][] tallies = new Long[3][n];
		String[] counts = new String[n];
		String[] categories = new String[n];
		for (int i = 0; i < n; i++) {
			LiveChunk chunk = chunks.get(i);
			models[i] = chunk.key().model();
			versions[i] = chunk.key().version();
			profiles[i] = chunk.key().profileId();
			starts[i] = chunk.key().chunk();
			tallies[0][i] = chunk.requests();
			tallies[1][i] = chunk.samples();
			tallies[2][i] = chunk.skippedRequests();
			counts[i] = arrayText(chunk.counts());
			categories[i] = JSON.writeValueAsString(chunk.newCategories(k.applyAsInt(chunk.key().model())));
		}
		this.jdbcTemplate.execute((Connection connection) -> {
			PreparedStatement statement = connection.prepareStatement(ADD);
			int p = 1;
			statement.setArray(p++, array(connection, "text", models));
			statement.setArray(p++, array(connection, "bigint", versions));
			statement.setArray(p++, array(connection, "uuid", profiles));
			statement.setArray(p++, array(connection, "bigint", starts));
			for (Long[] column : tallies) {
				statement.setArray(p++, array(connection, "bigint", column));
			}
			statement.setArray(p++, array(connection, "text", counts));
			statement.setArray(p++, array(connection, "text", categories));
			return statement;
		}, PreparedStatement::executeUpdate);
	}

	/**
	 * The live chunks of a profile with their first instant in {@code [from, to)}, oldest
	 * first.
	 */
	public List<StoredChunk> chunks(String model, long version, UUID profileId, Instant from, Instant to) {
		return this.jdbc
			.sql("SELECT chunk, requests, samples, skipped, counts, new_categories::text AS categories "
					+ "FROM drift_live_chunks WHERE model = :model AND version = :version AND profile_id = :profile "
					+ "AND chunk >= :from AND chunk < :to ORDER BY chunk")
			.param("model", model)
			.param("version", version)
			.param("profile", profileId)
			.param("from", Timestamp.from(from))
			.param("to", Timestamp.from(to))
			.query((rs, row) -> chunk(rs))
			.list();
	}

	/** Samples counted under older profiles of the version in {@code [from, to)}. */
	public long samplesOfOtherProfiles(String model, long version, UUID profileId, Instant from, Instant to) {
		return this.jdbc
			.sql("SELECT coalesce(sum(samples), 0) FROM drift_live_chunks WHERE model = :model "
					+ "AND version = :version AND profile_id <> :profile AND chunk >= :from AND chunk < :to")
			.param("model", model)
			.param("version", version)
			.param("profile", profileId)
			.param("from", Timestamp.from(from))
			.param("to", Timestamp.from(to))
			.query(Long.class)
			.single();
	}

	@SuppressWarnings("unchecked")
	private static StoredChunk chunk(ResultSet rs) throws SQLException {
		Long[] counts = (Long[]) rs.getArray("counts").getArray();
		long[] values = new long[counts.length];
		for (int i = 0; i < values.length; i++) {
			values[i] = counts[i];
		}
		return new StoredChunk(rs.getTimestamp("chunk").toInstant(), rs.getLong("requests"), rs.getLong("samples"),
				rs.getLong("skipped"), values, JSON.readValue(rs.getString("categories"), Map.class));
	}

	private static String arrayText(long[] values) {
		StringBuilder text = new StringBuilder(values.length * 2 + 2).append('{');
		for (int i = 0; i < values.length; i++) {
			text.append((i > 0) ? "," : "").append(values[i]);
		}
		return text.append('}').toString();
	}

	private static Array array(Connection connection, String type, Object[] values) throws SQLException {
		return connection.createArrayOf(type, values);
	}

	/** A stored profile with where it came from. */
	public record StoredProfile(DriftProfile profile, UUID datasetId, String datasetSha256, String modelSha256,
			String createdBy, Instant createdAt) {
	}

	/** One stored live chunk. */
	public record StoredChunk(Instant chunk, long requests, long samples, long skipped, long[] counts,
			Map<String, Map<String, Number>> newCategories) {
	}

}
