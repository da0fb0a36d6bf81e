package dev.warden.console.state;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.warden.console.StubConsoleState;
import dev.warden.console.StubPlatformApi;
import dev.warden.console.adminapi.AdminApiProperties;
import dev.warden.console.adminapi.PlatformApiConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared authorization service against the stand-in of platform-api's console state
 * API.
 */
class SharedAuthorizationServiceTests {

	private final StubPlatformApi platformApi = new StubPlatformApi();

	private final PlatformApiConnections connections = new PlatformApiConnections(
			new AdminApiProperties(this.platformApi.url(), Duration.ofSeconds(2), Duration.ofSeconds(10)));

	private final ConsoleStateClient client = new ConsoleStateClient(this.connections.restClient(),
			StubConsoleState.TOKEN);

	private final SharedAuthorizationService service = new SharedAuthorizationService(this.client, Clock.systemUTC());

	@AfterEach
	void stop() {
		this.connections.destroy();
		this.platformApi.close();
	}

	@Test
	void anAuthorizationIsFoundByEachOfItsTokensOfTheRightTypeOnly() {
		Instant now = Instant.now();
		RegisteredClient registeredClient = RegisteredClient.withId("warden-cli")
			.clientId("warden-cli")
			.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri("http://127.0.0.1:8765/callback")
			.build();
		OAuth2Authorization authorization = OAuth2Authorization.withRegisteredClient(registeredClient)
			.id("a-1")
			.principalName("admin")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.accessToken(new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "access-value", now,
					now.plusSeconds(300)))
			.refreshToken(new OAuth2RefreshToken("refresh-value", now, now.plusSeconds(3600)))
			.build();

		this.service.save(authorization);

		assertThat(this.service.findById("a-1").getPrincipalName()).isEqualTo("admin");
		assertThat(this.service.findByToken("access-value", OAuth2TokenType.ACCESS_TOKEN).getId()).isEqualTo("a-1");
		assertThat(this.service.findByToken("refresh-value", OAuth2TokenType.REFRESH_TOKEN).getId()).isEqualTo("a-1");
		assertThat(this.service.findByToken("refresh-value", null).getId()).isEqualTo("a-1");
		assertThat(this.service.findByToken("access-value", OAuth2TokenType.REFRESH_TOKEN)).isNull();
		assertThat(this.service.findByToken("other-value", OAuth2TokenType.ACCESS_TOKEN)).isNull();
		var row = this.platformApi.consoleState().authorizations().get("a-1");
		assertThat(row.path("token_hashes").values()).extracting((hash) -> hash.asString())
			.containsExactlyInAnyOrder(Hashes.sha256Hex("access-value"), Hashes.sha256Hex("refresh-value"));
		assertThat(row.path("expires_at").asString()).isEqualTo(now.plusSeconds(3600).toString());
		assertThat(row.toString()).doesNotContain("access-value", "refresh-value");

		this.service.remove(authorization);
		assertThat(this.service.findById("a-1")).isNull();
	}

	@Test
	void anEntryThatCannotBeReadIsAbsent() {
		this.client.putAuthorization("a-2", "warden-cli", "admin", List.of(Hashes.sha256Hex("t")),
				Instant.now().plusSeconds(60), "not a serialized authorization".getBytes(StandardCharsets.UTF_8));

		assertThat(this.service.findById("a-2")).isNull();
		assertThat(this.service.findByToken("t", null)).isNull();
	}

}
