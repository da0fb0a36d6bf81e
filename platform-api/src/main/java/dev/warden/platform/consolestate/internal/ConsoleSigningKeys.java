package dev.warden.platform.consolestate.internal;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.consolestate.ConsoleStateProperties;

/**
 * The console's signing keys ({@code console_signing_keys}): RSA 2048, RS256, generated
 * here (Nimbus JOSE), the private JWK stored encrypted ({@link ConsoleStateCrypto}).
 * <p>
 * Every read ({@link #current()}) first makes sure, in one transaction serialised by a
 * PostgreSQL advisory lock (several gateway replicas may be asked at once), that
 * <ul>
 * <li>keys whose {@code retires_at} is past are deleted;</li>
 * <li>there is an active key (the newest with {@code activates_at <= now}); the first one
 * activates at once;</li>
 * <li>every older activated key has {@code retires_at} = its successor's
 * {@code activates_at} + {@code retain};</li>
 * <li>once the active key has signed for {@code rotation - pre-publish} (counted from its
 * {@code activates_at}), a next key exists, activating at the active key's
 * {@code activates_at + rotation}, and never sooner than {@code pre-publish} from now, so
 * that every verifier's JWKS cache has seen it before it signs.</li>
 * </ul>
 * A key created, retired or deleted is logged (INFO) and audited as a system event. The
 * decrypted JWKs are kept in memory by kid (a key never changes, only its
 * {@code retires_at}). Thread-safe.
 */
@Service
public class ConsoleSigningKeys {

	private static final Logger log = LoggerFactory.getLogger(ConsoleSigningKeys.class);

	static final int KEY_SIZE = 2048;

	static final String TARGET_TYPE = "console_signing_key";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final ConsoleStateCrypto crypto;

	private final AuditTrail audit;

	private final ConsoleStateProperties.SigningKey settings;

	private final Clock clock = Clock.systemUTC();

	private final ConcurrentMap<String, Map<String, Object>> jwks = new ConcurrentHashMap<>();

	ConsoleSigningKeys(JdbcClient jdbc, TransactionTemplate transactions, ConsoleStateCrypto crypto, AuditTrail audit,
			ConsoleStateProperties properties) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.crypto = crypto;
		this.audit = audit;
		this.settings = properties.signingKey();
	}

	/**
	 * A published key.
	 *
	 * @param jwk the private JWK (RSA, RS256, {@code kid} inside), as a JSON object
	 * @param retiresAt when it is deleted, or {@code null} while no successor has
	 * activated
	 */
	public record Key(String kid, Map<String, Object> jwk, Instant createdAt, Instant activatesAt, Instant retiresAt) {
	}

	/** The rotation settings in force. */
	public ConsoleStateProperties.SigningKey settings() {
		return this.settings;
	}

	/**
	 * The keys to publish, oldest activation first, after the rotation step as of now.
	 */
	public List<Key> current() {
		return ensure(this.clock::instant, this.settings);
	}

	/** The rotation step as of {@code now} with these settings (tests pass their own). */
	List<Key> ensure(Instant now, ConsoleStateProperties.SigningKey settings) {
		return ensure(() -> now, settings);
	}

	/**
	 * The rotation step; the time is read once the lock is held, so that a caller that
	 * waited for another one's step sees that step's keys as made before its own now.
	 */
	private List<Key> ensure(Supplier<Instant> now, ConsoleStateProperties.SigningKey settings) {
		List<Row> rows = this.transactions.execute((status) -> {
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext('warden.console_signing_keys'))) AS l")
				.query()
				.singleRow();
			return rotate(now.get().truncatedTo(ChronoUnit.MICROS), settings);
		});
		List<Key> keys = new ArrayList<>(rows.size());
		for (Row row : rows) {
			keys.add(new Key(row.kid(), jwk(row), row.createdAt(), row.activatesAt(), row.retiresAt()));
		}
		return keys;
	}

	private List<Row> rotate(Instant now, ConsoleStateProperties.SigningKey settings) {
		List<Row> rows = new ArrayList<>(rows());
		List<Row> activated = new ArrayList<>();
		for (Row row : rows) {
			if (row.activatedBy(now)) {
				activated.add(row);
			}
		}
		// a replaced key is kept for `retain` after its successor activated
		for (int i = 0; i + 1 < activated.size(); i++) {
			Row replaced = activated.get(i);
			if (replaced.retiresAt() == null) {
				Instant retiresAt = activated.get(i + 1).activatesAt().plus(settings.retain());
				retire(replaced, retiresAt);
				Row updated = new Row(replaced.kid(), replaced.createdAt(), replaced.activatesAt(), retiresAt,
						replaced.encrypted(), replaced.kekId());
				rows.set(rows.indexOf(replaced), updated);
				activated.set(i, updated);
			}
		}
		for (Row row : List.copyOf(rows)) {
			if (row.retiresAt() != null && !row.retiresAt().isAfter(now)) {
				delete(row);
				rows.remove(row);
				activated.remove(row);
			}
		}
		if (activated.isEmpty()) {
			rows.add(create(now, now));
			return rows;
		}
		Row active = activated.get(activated.size() - 1);
		boolean nextExists = rows.stream().anyMatch((row) -> !row.activatedBy(now));
		if (!nextExists && !now.isBefore(active.activatesAt().plus(settings.rotation()).minus(settings.prePublish()))) {
			Instant activatesAt = active.activatesAt().plus(settings.rotation());
			Instant earliest = now.plus(settings.prePublish());
			rows.add(create(now, activatesAt.isBefore(earliest) ? earliest : activatesAt));
		}
		return rows;
	}

	private List<Row> rows() {
		return this.jdbc
			.sql("SELECT kid, created_at, activates_at, retires_at, private_jwk, kek_id FROM console_signing_keys "
					+ "ORDER BY activates_at, created_at, kid")
			.query((rs, row) -> {
				Timestamp retires = rs.getTimestamp("retires_at");
				return new Row(rs.getString("kid"), rs.getTimestamp("created_at").toInstant(),
						rs.getTimestamp("activates_at").toInstant(), (retires != null) ? retires.toInstant() : null,
						rs.getBytes("private_jwk"), rs.getString("kek_id"));
			})
			.list();
	}

	private Row create(Instant now, Instant activatesAt) {
		String kid = UUID.randomUUID().toString();
		RSAKey key;
		try {
			key = new RSAKeyGenerator(KEY_SIZE).keyUse(KeyUse.SIGNATURE)
				.algorithm(JWSAlgorithm.RS256)
				.keyID(kid)
				.generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("could not generate an RSA key", ex);
		}
		String json = key.toJSONString();
		ConsoleStateCrypto.Sealed sealed = this.crypto.encrypt(json.getBytes(StandardCharsets.UTF_8),
				ConsoleStateCrypto.SIGNING_KEY, kid);
		this.jdbc
			.sql("INSERT INTO console_signing_keys (kid, private_jwk, kek_id, created_at, activates_at) "
					+ "VALUES (:kid, :jwk, :kekId, :created, :activates)")
			.param("kid", kid)
			.param("jwk", sealed.ciphertext())
			.param("kekId", sealed.kekId())
			.param("created", Timestamp.from(now))
			.param("activates", Timestamp.from(activatesAt))
			.update();
		this.jwks.put(kid, parse(json));
		log.info("Created console signing key {} (RSA {}, RS256), signing from {}", kid, KEY_SIZE, activatesAt);
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("algorithm", "RS256");
		details.put("key_size", KEY_SIZE);
		details.put("activates_at", activatesAt.toString());
		this.audit.append(AuditTrail.SYSTEM_ACTOR, "console.signing_key.created", TARGET_TYPE, kid, details);
		return new Row(kid, now, activatesAt, null, sealed.ciphertext(), sealed.kekId());
	}

	private void retire(Row row, Instant retiresAt) {
		this.jdbc.sql("UPDATE console_signing_keys SET retires_at = :retires WHERE kid = :kid")
			.param("retires", Timestamp.from(retiresAt))
			.param("kid", row.kid())
			.update();
		log.info("Console signing key {} replaced; it stays published until {}", row.kid(), retiresAt);
		this.audit.append(AuditTrail.SYSTEM_ACTOR, "console.signing_key.retired", TARGET_TYPE, row.kid(),
				Map.of("retires_at", retiresAt.toString()));
	}

	private void delete(Row row) {
		this.jdbc.sql("DELETE FROM console_signing_keys WHERE kid = :kid").param("kid", row.kid()).update();
		this.jwks.remove(row.kid());
		log.info("Deleted console signing key {} (retired at {})", row.kid(), row.retiresAt());
		this.audit.append(AuditTrail.SYSTEM_ACTOR, "console.signing_key.deleted", TARGET_TYPE, row.kid(),
				Map.of("retired_at", row.retiresAt().toString()));
	}

	private Map<String, Object> jwk(Row row) {
		return this.jwks.computeIfAbsent(row.kid(),
				(kid) -> parse(new String(
						this.crypto.decrypt(row.encrypted(), row.kekId(), ConsoleStateCrypto.SIGNING_KEY, kid),
						StandardCharsets.UTF_8)));
	}

	private static Map<String, Object> parse(String json) {
		try {
			return Collections.unmodifiableMap(new LinkedHashMap<>(JSONObjectUtils.parse(json)));
		}
		catch (ParseException ex) {
			throw new IllegalStateException("a stored console signing key is not a JWK", ex);
		}
	}

	/** A row of {@code console_signing_keys}, the private JWK still encrypted. */
	private record Row(String kid, Instant createdAt, Instant activatesAt, Instant retiresAt, byte[] encrypted,
			String kekId) {

		/**
		 * Whether the key signs at {@code now}: its activation is past, or it was made to
		 * sign at once (a first key: {@code activates_at = created_at}), which holds even
		 * when the replica that made it has a clock a little ahead of this one's.
		 */
		boolean activatedBy(Instant now) {
			return !this.activatesAt.isAfter(now) || this.activatesAt.equals(this.createdAt);
		}

	}

}
