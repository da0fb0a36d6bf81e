package dev.warden.platform.system;

import java.time.Instant;

import com.fasterxml.jackson.annotation.Nulls;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Request bodies are read as strictly as the data plane reads predict requests. The
 * application's JSON mapper reads the admin API's request bodies and nothing else (every
 * other reader in platform-api has its own mapper), so these rules apply to exactly
 * those:
 * <ul>
 * <li>a number or a boolean where the API expects a string is a 400 naming the field, not
 * silently turned into text ({@code {"name": 123}} must not create a tenant called
 * "123");</li>
 * <li>a key that appears twice in one object is refused, not "last one wins"; so is
 * anything after the value;</li>
 * <li>{@code null} inside an array or an object map ({@code "models": [null]}) is refused
 * naming the element;</li>
 * <li>every string is held to {@link InputRules#textProblem} (no control characters, no
 * unpaired surrogate such as {@code "\ud800"}, which the JDBC driver would store as
 * {@code ?}); a field annotated {@link MultilineText} may hold tab and line breaks;</li>
 * <li>every {@link Instant} is held to {@link InputRules#timestampProblem}.</li>
 * </ul>
 * A refusal is a {@link MismatchedInputException}, which {@link ApiExceptionHandler}
 * answers with 400 {@code malformed_body} naming the field.
 */
@Configuration(proxyBeanMethods = false)
class JsonConfiguration {

	@Bean
	JsonMapperBuilderCustomizer strictRequestBodies() {
		SimpleModule inputRules = new SimpleModule("warden-input-rules");
		inputRules.setDeserializerModifier(new InputRulesModifier());
		return builder -> builder
			.withCoercionConfig(LogicalType.Textual,
					config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
						.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
						.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.changeDefaultNullHandling((nulls) -> nulls.withContentNulls(Nulls.FAIL))
			.addModule(inputRules);
	}

	/**
	 * Wraps the deserializers of {@link String} and {@link Instant}, wherever they are
	 * used, with the rules.
	 */
	static final class InputRulesModifier extends ValueDeserializerModifier {

		@Override
		public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription.Supplier bean,
				ValueDeserializer<?> deserializer) {
			if (bean.getBeanClass() == String.class) {
				return new CheckedText(deserializer, false);
			}
			if (bean.getBeanClass() == Instant.class) {
				return new CheckedTimestamp(deserializer);
			}
			return deserializer;
		}

	}

	/** A string held to {@link InputRules#textProblem}. */
	static final class CheckedText extends DelegatingDeserializer {

		private final boolean lineBreaks;

		CheckedText(ValueDeserializer<?> delegate, boolean lineBreaks) {
			super(delegate);
			this.lineBreaks = lineBreaks;
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new CheckedText(delegate, this.lineBreaks);
		}

		@Override
		public ValueDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
			ValueDeserializer<?> contextual = super.createContextual(ctxt, property);
			boolean multiline = property != null && property.getAnnotation(MultilineText.class) != null;
			if (multiline && contextual instanceof CheckedText checked && !checked.lineBreaks) {
				return new CheckedText(checked._delegatee, true);
			}
			return contextual;
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext ctxt) throws JacksonException {
			Object value = super.deserialize(parser, ctxt);
			if (value instanceof String text) {
				String problem = InputRules.textProblem(text, this.lineBreaks);
				if (problem != null) {
					throw new RefusedValueException(parser, problem, String.class);
				}
			}
			return value;
		}

	}

	/** A timestamp held to {@link InputRules#timestampProblem}. */
	static final class CheckedTimestamp extends DelegatingDeserializer {

		CheckedTimestamp(ValueDeserializer<?> delegate) {
			super(delegate);
		}

		@Override
		protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
			return new CheckedTimestamp(delegate);
		}

		@Override
		public Object deserialize(JsonParser parser, DeserializationContext ctxt) throws JacksonException {
			Object value = super.deserialize(parser, ctxt);
			if (value instanceof Instant instant) {
				String problem = InputRules.timestampProblem(instant);
				if (problem != null) {
					throw new RefusedValueException(parser, problem, Instant.class);
				}
			}
			return value;
		}

	}

	/**
	 * A well-formed value of the right type that the input rules refuse; its message is
	 * the reason.
	 */
	static final class RefusedValueException extends MismatchedInputException {

		RefusedValueException(JsonParser parser, String reason, Class<?> targetType) {
			super(parser, reason, targetType);
		}

	}

}
