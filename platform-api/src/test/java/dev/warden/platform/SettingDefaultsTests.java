package dev.warden.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting has one default, in its {@code @ConfigurationProperties} record. A scan
 * of {@code src/main/java}: main code never repeats a default in a placeholder
 * ({@code @Scheduled("${warden.x:5s}")}, {@code @Value("${warden.x:5s}")}), and a
 * schedule never reads a setting itself, it is registered from the record (a
 * {@code SchedulingConfigurer}). And {@code application.yml}, which maps the documented
 * environment variables, falls back to exactly the records' defaults.
 */
class SettingDefaultsTests {

	/**
	 * Fallbacks of application.yml that differ from a record's default only in form:
	 * {@code RegistrationProperties.token} (package {@code worker}) has no default, and
	 * application.yml's empty fallback means the same (no registration).
	 */
	private static final Map<String, Object> EQUIVALENT = Map.of("warden.registration.token", "");

	private static final Pattern ANNOTATION = Pattern.compile("@(Scheduled|Value)\\s*\\(");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]*)(:?)");

	@Test
	void noPlaceholderInMainCodeCarriesADefaultAndNoScheduleReadsASetting() throws IOException {
		Path sources = Path.of("src", "main", "java");
		assertThat(sources).isDirectory();
		List<String> found = new ArrayList<>();
		try (Stream<Path> files = Files.walk(sources)) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".java")).sorted().toList()) {
				String name = sources.relativize(file).toString().replace('\\', '/');
				violations(Files.readString(file, StandardCharsets.UTF_8))
					.forEach((violation) -> found.add(name + ":" + violation));
			}
		}
		assertThat(found).isEmpty();
	}

	@Test
	void applicationYamlFallsBackToTheDefaultsOfTheRecords() throws Exception {
		StandardEnvironment environment = new StandardEnvironment();
		MutablePropertySources sources = environment.getPropertySources();
		// no environment variable or system property: only application.yml's fallbacks
		sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		for (PropertySource<?> yaml : new YamlPropertySourceLoader().load("application.yml",
				new ClassPathResource("application.yml"))) {
			sources.addLast(yaml);
		}
		ConfigurationPropertySources.attach(environment);
		Binder configured = Binder.get(environment);
		// the records' defaults, plus the fallbacks of application.yml that are the same
		// setting in other words (see EQUIVALENT)
		Binder nothing = new Binder(ConfigurationPropertySources.from(new MapPropertySource("equivalent", EQUIVALENT)));
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		List<Class<?>> records = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.warden.platform")) {
			records.add(ClassUtils.forName(candidate.getBeanClassName(), getClass().getClassLoader()));
		}
		assertThat(records).hasSizeGreaterThan(10);
		SoftAssertions softly = new SoftAssertions();
		for (Class<?> record : records) {
			String prefix = record.getAnnotation(ConfigurationProperties.class).value();
			softly.assertThat(configured.bindOrCreate(prefix, Bindable.of(record)))
				.as(record.getSimpleName())
				.isEqualTo(nothing.bindOrCreate(prefix, Bindable.of(record)));
		}
		softly.assertAll();
	}

	@Test
	void theScanFindsInlineDefaultsAndScheduledPlaceholders() {
		String source = """
				class Example {

					@Scheduled(initialDelayString = "${warden.a.interval:5s}",
							fixedDelayString = "${warden.a.interval:5s}")
					void a() {
					}

					@Scheduled(fixedDelayString = "${warden.b.interval}")
					void b() {
					}

					Example(@Value("${server.some-size:8KB}") DataSize size, @Value("${warden.c}") String c) {
					}

					@Scheduled(fixedDelay = 10, timeUnit = TimeUnit.SECONDS)
					void fixed() {
					}

					@Scheduled(cron = "0 0 * * * *")
					void cron() {
					}

					String text = "${not.an.annotation:1s}";

				}
				""";
		assertThat(violations(source)).containsExactly("3: @Scheduled reads warden.a.interval with an inline default",
				"4: @Scheduled reads warden.a.interval with an inline default",
				"8: @Scheduled reads warden.b.interval (schedule it from its properties record)",
				"12: @Value reads server.some-size with an inline default");
	}

	/**
	 * The placeholders with a default in {@code @Scheduled} and {@code @Value}
	 * annotations, and every placeholder in {@code @Scheduled}, as
	 * {@code "<line>: <what>"}.
	 */
	static List<String> violations(String source) {
		List<String> violations = new ArrayList<>();
		Matcher annotation = ANNOTATION.matcher(source);
		while (annotation.find()) {
			String kind = annotation.group(1);
			int end = closingParenthesis(source, annotation.end());
			Matcher placeholder = PLACEHOLDER.matcher(source).region(annotation.end(), end);
			while (placeholder.find()) {
				int line = (int) source.substring(0, placeholder.start()).chars().filter((c) -> c == '\n').count() + 1;
				String setting = placeholder.group(1);
				if (!placeholder.group(2).isEmpty()) {
					violations.add(line + ": @" + kind + " reads " + setting + " with an inline default");
				}
				else if (kind.equals("Scheduled")) {
					violations
						.add(line + ": @Scheduled reads " + setting + " (schedule it from its properties record)");
				}
			}
		}
		return violations;
	}

	/**
	 * The index of the parenthesis that closes the one opened just before {@code from},
	 * skipping string literals.
	 */
	private static int closingParenthesis(String source, int from) {
		int depth = 1;
		boolean inString = false;
		for (int i = from; i < source.length(); i++) {
			char c = source.charAt(i);
			if (inString) {
				if (c == '\\') {
					i++;
				}
				else if (c == '"') {
					inString = false;
				}
			}
			else if (c == '"') {
				inString = true;
			}
			else if (c == '(') {
				depth++;
			}
			else if (c == ')' && --depth == 0) {
				return i;
			}
		}
		throw new IllegalArgumentException("unclosed annotation at " + from);
	}

}
