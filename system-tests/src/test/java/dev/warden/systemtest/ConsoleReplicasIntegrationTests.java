package dev.warden.systemtest;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.warden.console.identity.AuthorizationCodeFlowClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two console replicas behind one public URL, their state kept by the gateway: the
 * cluster's console (replica A, whose origin is the public URL and the issuer, as a load
 * balancer's would be) and a second console process (replica B) with the same issuer and
 * console state token. A user signed in through A is signed in on B with the same session
 * cookie (what a load balancer without sticky sessions does), a restart of A signs nobody
 * out, a token A signed before its restart is still accepted by the gateway, and A and B
 * publish the same keys. Only replica A is restarted; the gateway and the workers keep
 * running.
 */
@ExtendWith(WardenClusterExtension.class)
class ConsoleReplicasIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static Process replicaB;

	private static URI publicUrl;

	private static URI replicaBUrl;

	@BeforeAll
	static void startSecondReplica(WardenCluster cluster) throws Exception {
		int port = WardenCluster.freePort();
		replicaB = cluster.startConsoleReplica(port);
		publicUrl = URI.create(cluster.console());
		replicaBUrl = URI.create("http://localhost:" + port);
	}

	@AfterAll
	static void stopSecondReplica(WardenCluster cluster) throws Exception {
		if (replicaB != null) {
			cluster.stopConsoleReplica(replicaB);
		}
	}

	@Test
	void aUserSignedInThroughOneReplicaIsServedByTheOtherAndStaysSignedInAcrossARestart(WardenCluster cluster)
			throws Exception {
		var browser = new AuthorizationCodeFlowClient(publicUrl);
		HttpResponse<String> onA = browser.signInToConsole("admin", WardenCluster.ADMIN_PASSWORD);
		assertThat(onA.statusCode()).isEqualTo(200);

		// the same cookie on replica B: the session, and the user's access token in it,
		// come from the gateway; B's calls to the admin API succeed with that token
		HttpResponse<String> onB = browser.get(replicaBUrl.resolve("/tenants"));
		assertThat(onB.statusCode()).isEqualTo(200);
		assertThat(onB.body()).contains("admin").doesNotContain("could not be loaded");

		cluster.restartConsole();

		HttpResponse<String> afterRestart = browser.get(publicUrl.resolve("/tenants"));
		assertThat(afterRestart.statusCode()).isEqualTo(200);
		assertThat(afterRestart.body()).doesNotContain("could not be loaded");

		// signing out on B ends the session on A too (CSRF token from a page of A)
		String csrf = AuthorizationCodeFlowClient.csrfToken(afterRestart.body()).orElseThrow();
		HttpResponse<String> logout = browser.postForm(replicaBUrl.resolve("/logout"), Map.of("_csrf", csrf));
		assertThat(logout.statusCode()).isEqualTo(302);
		assertThat(browser.get(publicUrl.resolve("/tenants")).statusCode()).isEqualTo(302);
	}

	@Test
	void aTokenSignedBeforeARestartIsStillAcceptedAndBothReplicasPublishTheSameKeys(WardenCluster cluster)
			throws Exception {
		var tokens = new AuthorizationCodeFlowClient(publicUrl).obtainTokens("admin", WardenCluster.ADMIN_PASSWORD);
		String kid = JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(tokens.accessToken())).path("kid").asString();
		assertThat(jwks(publicUrl)).isEqualTo(jwks(replicaBUrl));
		assertThat(kids(jwks(replicaBUrl))).contains(kid);

		cluster.restartConsole();

		assertThat(Http
			.get(cluster.gateway() + "/api/admin/tenants", Map.of("Authorization", "Bearer " + tokens.accessToken()))
			.status()).isEqualTo(200);
		assertThat(jwks(publicUrl)).isEqualTo(jwks(replicaBUrl));
		var again = new AuthorizationCodeFlowClient(publicUrl).obtainTokens("admin", WardenCluster.ADMIN_PASSWORD);
		assertThat(JSON.readTree(AuthorizationCodeFlowClient.jwtHeader(again.accessToken())).path("kid").asString())
			.isEqualTo(kid);
	}

	private static String jwks(URI replica) throws Exception {
		HttpResponse<String> response = new AuthorizationCodeFlowClient(replica).get(replica.resolve("/oauth2/jwks"));
		assertThat(response.statusCode()).isEqualTo(200);
		return JSON.readTree(response.body()).toString();
	}

	private static List<String> kids(String jwks) {
		return JSON.readTree(jwks).path("keys").values().stream().map((key) -> key.path("kid").asString()).toList();
	}

}
