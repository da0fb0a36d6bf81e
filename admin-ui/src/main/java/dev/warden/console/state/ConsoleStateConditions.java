package dev.warden.console.state;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/** Whether console state is kept by platform-api ({@code warden.console.state.token}). */
final class ConsoleStateConditions {

	private ConsoleStateConditions() {
	}

	static boolean on(Environment environment) {
		return StringUtils.hasText(environment.getProperty(ConsoleStateProperties.TOKEN));
	}

	/**
	 * The embedded authorization server runs: {@code warden.console.identity.embedded} is
	 * true and no external issuer is configured.
	 */
	static boolean embedded(Environment environment) {
		return environment.getProperty("warden.console.identity.embedded", Boolean.class, true)
				&& !StringUtils.hasText(environment.getProperty("warden.console.oidc.issuer-uri"));
	}

	static final class On extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return on(context.getEnvironment()) ? ConditionOutcome.match("console state token set")
					: ConditionOutcome.noMatch("no console state token");
		}

	}

	static final class Off extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return on(context.getEnvironment()) ? ConditionOutcome.noMatch("console state token set")
					: ConditionOutcome.match("no console state token");
		}

	}

	static final class OnWithEmbeddedIdentity extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			return (on(environment) && embedded(environment))
					? ConditionOutcome.match("console state token set, embedded authorization server")
					: ConditionOutcome.noMatch("no console state token or no embedded authorization server");
		}

	}

}
