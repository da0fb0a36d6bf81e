package dev.warden.console.identity;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when the embedded authorization server should run:
 * {@code warden.console.identity.embedded} is true (the default) and no external issuer
 * ({@code warden.console.oidc.issuer-uri}) is configured.
 */
class EmbeddedIdentityCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Environment environment = context.getEnvironment();
		if (!environment.getProperty("warden.console.identity.embedded", Boolean.class, true)) {
			return ConditionOutcome.noMatch("warden.console.identity.embedded is false");
		}
		if (StringUtils.hasText(environment.getProperty("warden.console.oidc.issuer-uri"))) {
			return ConditionOutcome.noMatch("an external issuer is configured (warden.console.oidc.issuer-uri)");
		}
		return ConditionOutcome.match("embedded authorization server enabled");
	}

}
