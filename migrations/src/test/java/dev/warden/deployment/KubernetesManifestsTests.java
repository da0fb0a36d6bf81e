package dev.warden.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests of {@code docker/kubernetes} (a kustomize base, components and
 * overlays), checked without a cluster and without kubectl: every overlay is put together
 * the way kustomize does it for what these files use (resources, components, generators,
 * strategic-merge patches, images), and the result is held to what the applications
 * really read and serve: their {@code application.yml}, docs/configuration.md, the
 * Dockerfiles and the compose file. {@code docker/kubernetes/check.sh} renders the
 * overlays with kubectl itself, on demand.
 *
 * <p>
 * Lives in the lightest module of the build: it reads only files of the repository and
 * starts nothing.
 */
class KubernetesManifestsTests {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	private static final Path KUBERNETES = ROOT.resolve("docker/kubernetes");

	private static final Path SECRETS_EXAMPLE = KUBERNETES.resolve("secrets.example");

	/** Read by the JVM's launcher, not by Warden (so not in docs/configuration.md). */
	private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

	/**
	 * Read by TensorFlow's native code, not by Spring (docs/configuration.md lists them).
	 */
	private static final Set<String> NATIVE_VARIABLES = Set.of("TF_CPP_MIN_LOG_LEVEL");

	/**
	 * The Kubernetes API's types of the objects these manifests hold (fabric8's model,
	 * generated from the API's OpenAPI schema), by apiVersion and kind.
	 */
	private static final Map<String, Class<?>> API_TYPES = Map.of("apps/v1 Deployment", Deployment.class, "v1 Service",
			Service.class, "v1 PersistentVolumeClaim", PersistentVolumeClaim.class, "v1 Namespace", Namespace.class,
			"policy/v1 PodDisruptionBudget", PodDisruptionBudget.class, "autoscaling/v2 HorizontalPodAutoscaler",
			HorizontalPodAutoscaler.class, "networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class);

	/**
	 * Custom resources: no type in the API's schema (their CRD may not even be
	 * installed).
	 */
	private static final Set<String> CUSTOM_RESOURCES = Set.of("monitoring.coreos.com/v1 ServiceMonitor");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

	private static final Pattern DEPENDENT = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");

	private static List<Rendered> overlays;

	private static String configurationDocs;

	@BeforeAll
	static void renderOverlays() throws IOException {
		configurationDocs = Files.readString(ROOT.resolve("docs/configuration.md"));
		overlays = new ArrayList<>();
		try (Stream<Path> dirs = Files.list(KUBERNETES.resolve("overlays"))) {
			for (Path dir : dirs.sorted().toList()) {
				if (Files.isRegularFile(dir.resolve("kustomization.yaml"))) {
					overlays.add(Rendered.of(dir));
				}
			}
		}
		assertThat(overlays).as("overlays under docker/kubernetes/overlays").hasSizeGreaterThanOrEqualTo(2);
		// what was checked, for a look or a comparison with `kubectl kustomize`
		// (generated names without their hash)
		Path out = Files.createDirectories(Path.of("target", "kubernetes"));
		for (Rendered overlay : overlays) {
			try (Writer writer = Files.newBufferedWriter(out.resolve(overlay.name + ".yaml"))) {
				new Yaml().dumpAll(overlay.objects.iterator(), writer);
			}
		}
	}

	@Test
	void everyKustomizationNamesFilesThatExistAndEveryManifestIsUsed() throws IOException {
		List<String> problems = new ArrayList<>();
		Set<Path> used = new LinkedHashSet<>();
		for (Rendered overlay : overlays) {
			problems.addAll(overlay.problems);
			used.addAll(overlay.files);
		}
		try (Stream<Path> files = Files.walk(KUBERNETES)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				String name = file.getFileName().toString();
				boolean manifest = name.endsWith(".yaml") && !name.equals("kustomization.yaml");
				if (manifest && !used.contains(file.normalize())) {
					problems.add(KUBERNETES.relativize(file) + " is not used by any overlay");
				}
				if (manifest || name.equals("kustomization.yaml")) {
					try {
						Yamls.loadAll(file);
					}
					catch (RuntimeException ex) {
						problems.add(KUBERNETES.relativize(file) + " is not valid YAML: " + ex.getMessage());
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void everyObjectFitsTheSchemaOfTheKubernetesApi() {
		List<String> problems = new ArrayList<>();
		ObjectMapper mapper = new ObjectMapper();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> object : overlay.objects) {
				String type = object.get("apiVersion") + " " + object.get("kind");
				String where = overlay.name + " " + type + " " + name(object);
				if (CUSTOM_RESOURCES.contains(type)) {
					continue;
				}
				Class<?> api = API_TYPES.get(type);
				if (api == null) {
					problems.add(where + ": not a type these checks know (add it to API_TYPES)");
					continue;
				}
				try {
					Schema.unknownFields(mapper.convertValue(object, api), name(object), problems, where);
				}
				catch (IllegalArgumentException ex) {
					problems.add(where + ": " + ex.getMessage().lines().findFirst().orElse(""));
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void noSecretValueIsCommitted() throws IOException {
		List<String> problems = new ArrayList<>();
		try (Stream<Path> files = Files.walk(KUBERNETES)) {
			for (Path file : files.filter((f) -> f.getFileName().toString().endsWith(".yaml")).toList()) {
				for (Map<String, Object> document : Yamls.loadAll(file)) {
					if ("Secret".equals(document.get("kind"))) {
						problems
							.add(KUBERNETES.relativize(file) + " holds a Secret: generate it from a git-ignored file");
					}
				}
			}
		}
		for (Path example : list(SECRETS_EXAMPLE)) {
			if (example.toString().endsWith(".env")) {
				Env.read(example).forEach((key, value) -> {
					if (key.matches(".*(PASSWORD|TOKEN|KEY|SECRET)") && !value.equals("change-me")) {
						problems.add("secrets.example/" + example.getFileName() + ": " + key + " must be change-me");
					}
				});
			}
		}
		String ignored = Files.readString(ROOT.resolve(".gitignore"));
		if (!ignored.lines().anyMatch((line) -> line.strip().equals("docker/kubernetes/overlays/*/secrets/"))) {
			problems.add(".gitignore does not ignore docker/kubernetes/overlays/*/secrets/");
		}
		assertNone(problems);
	}

	@Test
	void everyContainerRunsTheImageOfAnApplicationAndItsFiles() throws IOException {
		List<String> problems = new ArrayList<>();
		Map<String, Object> compose = Yamls.loadAll(ROOT.resolve("docker/compose.yaml")).get(0);
		Map<String, Object> services = Yamls.map(compose, "services");
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				for (Map<String, Object> container : allContainers(podSpec(deployment))) {
					String where = overlay.name + " " + name(deployment) + ": ";
					String image = (String) container.get("image");
					String module = moduleOf(image);
					if (module == null) {
						problems
							.add(where + "image " + image + " is not warden-<module> of docker/Dockerfile.<module>");
						continue;
					}
					// docker compose (project "warden") names the image it builds for
					// service <s> warden-<s>
					Map<String, Object> build = Yamls.map(Yamls.map(services, module), "build");
					if (!("warden".equals(compose.get("name"))
							&& ("docker/Dockerfile." + module).equals(build.get("dockerfile")))) {
						problems.add(where + "docker/compose.yaml does not build " + image + " from docker/Dockerfile."
								+ module);
					}
					Dockerfile dockerfile = Dockerfile.of(module);
					for (String argument : commandLine(container)) {
						if (argument.startsWith("/app/") && !dockerfile.paths.contains(argument)) {
							problems.add(where + "the command names " + argument + ", which docker/Dockerfile." + module
									+ " does not put into the image");
						}
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void probesAreOnDeclaredPortsAndPathsTheApplicationServesWithoutCredentials() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				for (Map<String, Object> container : Yamls.list(podSpec(deployment), "containers")) {
					String where = overlay.name + " " + name(deployment) + ": ";
					Application application = Application.of(moduleOf((String) container.get("image")));
					Map<String, Object> ports = containerPorts(container);
					if (!ports.containsValue(application.port(env(container)))) {
						problems.add(where + "the container does not declare the port the application listens on, "
								+ application.port(env(container)));
					}
					Map<String, String> paths = new LinkedHashMap<>();
					for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
						Map<String, Object> get = Yamls.map(Yamls.map(container, probe), "httpGet");
						if (get.isEmpty()) {
							problems.add(where + "no " + probe + " (HTTP)");
							continue;
						}
						Object port = get.get("port");
						if (!ports.containsKey(String.valueOf(port)) && !ports.containsValue(port)) {
							problems.add(where + probe + " port " + port + " is not a port of the container");
						}
						String path = (String) get.get("path");
						paths.put(probe, path);
						String refused = application.refusesProbe(path,
								env(container).containsKey("WARDEN_REGISTRATION_TOKEN"));
						if (refused != null) {
							problems.add(where + probe + " " + path + ": " + refused);
						}
					}
					if (Objects.equals(paths.get("readinessProbe"), paths.get("livenessProbe"))) {
						problems.add(where + "readiness and liveness probe the same path");
					}
					Map<String, Object> startup = Yamls.map(container, "startupProbe");
					int budget = number(startup.getOrDefault("periodSeconds", 10))
							* number(startup.getOrDefault("failureThreshold", 3));
					if (budget < 300) {
						problems.add(where + "the startup probe gives " + budget
								+ " s; migrations, native libraries and model loading need minutes");
					}
					int deadline = number(Yamls.map(deployment, "spec").getOrDefault("progressDeadlineSeconds", 600));
					if (deadline < budget) {
						problems.add(where + "progressDeadlineSeconds " + deadline
								+ " would call a roll-out failed while the startup probe still waits (" + budget
								+ " s)");
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void containersHaveResourcesAndRunAsNonRootOnAReadOnlyRootFileSystem() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				String where = overlay.name + " " + name(deployment) + ": ";
				Map<String, Object> pod = podSpec(deployment);
				Map<String, Object> podSecurity = Yamls.map(pod, "securityContext");
				if (!Boolean.TRUE.equals(podSecurity.get("runAsNonRoot"))
						|| number(podSecurity.get("runAsUser")) <= 0) {
					problems.add(where + "runAsNonRoot with a numeric non-zero runAsUser is required (the images' user "
							+ "is a name, which the kubelet cannot check)");
				}
				if (!Boolean.FALSE.equals(pod.get("automountServiceAccountToken"))
						|| !Boolean.FALSE.equals(pod.get("enableServiceLinks"))) {
					problems.add(where + "automountServiceAccountToken and enableServiceLinks must be false");
				}
				Set<String> volumes = Yamls.list(pod, "volumes")
					.stream()
					.map((v) -> (String) v.get("name"))
					.collect(Collectors.toSet());
				Set<String> mounted = new LinkedHashSet<>();
				for (Map<String, Object> container : allContainers(pod)) {
					Map<String, Object> security = Yamls.map(container, "securityContext");
					if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))
							|| !Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))
							|| !Yamls.map(security, "capabilities")
								.getOrDefault("drop", List.of())
								.equals(List.of("ALL"))) {
						problems
							.add(where + "readOnlyRootFilesystem, no privilege escalation, all capabilities dropped");
					}
					Map<String, Object> resources = Yamls.map(container, "resources");
					for (String resource : List.of("cpu", "memory")) {
						Object request = Yamls.map(resources, "requests").get(resource);
						Object limit = Yamls.map(resources, "limits").get(resource);
						if (request == null || limit == null) {
							problems.add(where + "no " + resource + " request and limit");
						}
						else if (Quantity.parse(request) > Quantity.parse(limit)) {
							problems.add(where + resource + " request " + request + " above its limit " + limit);
						}
					}
					Map<String, String> mounts = new LinkedHashMap<>();
					for (Map<String, Object> mount : Yamls.list(container, "volumeMounts")) {
						mounts.put((String) mount.get("mountPath"), (String) mount.get("name"));
						mounted.add((String) mount.get("name"));
						if (!volumes.contains(mount.get("name"))) {
							problems.add(where + "mounts " + mount.get("name") + ", which is not a volume of the pod");
						}
					}
					if (!mounts.containsKey("/tmp")) {
						problems.add(where + "a read-only root file system needs a writable /tmp (Tomcat, uploads)");
					}
					// TensorFlow's native libraries are unpacked into JavaCPP's cache
					// directory at start
					Dockerfile dockerfile = Dockerfile.of(moduleOf((String) container.get("image")));
					Matcher cache = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.cachedir=(\\S+)")
						.matcher(dockerfile.env.getOrDefault("JAVA_TOOL_OPTIONS", ""));
					if (cache.find() && !mounts.containsKey(cache.group(1))) {
						problems.add(where + "JavaCPP's cache directory " + cache.group(1)
								+ " (the image's JAVA_TOOL_OPTIONS) is not a writable volume");
					}
					for (Map.Entry<String, String> variable : env(container).entrySet()) {
						String value = variable.getValue();
						if (value != null && value.startsWith("/") && !value.contains(" ")
								&& mounts.keySet()
									.stream()
									.noneMatch((m) -> value.equals(m) || value.startsWith(m + "/"))
								&& dockerfile.paths.stream()
									.noneMatch((p) -> value.equals(p) || value.startsWith(p + "/"))) {
							problems.add(where + variable.getKey() + "=" + value
									+ " is neither on a volume nor in the image");
						}
					}
				}
				if (!mounted.equals(volumes)) {
					problems.add(where + "volumes not mounted: " + difference(volumes, mounted));
				}
				// every emptyDir has a sizeLimit, and together they fit the pod's
				// ephemeral-storage limit (the sum of its containers'): the kubelet
				// evicts a pod above either, so the sizeLimits must be what binds
				double emptyDirs = 0;
				for (Map<String, Object> volume : Yamls.list(pod, "volumes")) {
					if (volume.containsKey("emptyDir")) {
						Object size = Yamls.map(volume, "emptyDir").get("sizeLimit");
						if (size == null) {
							problems.add(where + "emptyDir " + volume.get("name") + " has no sizeLimit");
						}
						else {
							emptyDirs += Quantity.parse(size);
						}
					}
				}
				double ephemeral = 0;
				for (Map<String, Object> container : Yamls.list(pod, "containers")) {
					Object limit = Yamls.map(Yamls.map(container, "resources"), "limits").get("ephemeral-storage");
					ephemeral += (limit != null) ? Quantity.parse(limit) : Double.POSITIVE_INFINITY;
				}
				if (emptyDirs > ephemeral) {
					problems.add(where + "the emptyDirs' sizeLimits (" + emptyDirs / (1 << 20)
							+ " MiB) exceed the containers' ephemeral-storage limits (" + ephemeral / (1 << 20)
							+ " MiB)");
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void everyVariableIsOneTheApplicationReadsAndEveryReferenceResolves() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			Set<String> serviceNames = overlay.kind("Service").stream().map((s) -> name(s)).collect(Collectors.toSet());
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				Map<String, Object> pod = podSpec(deployment);
				for (Map<String, Object> container : allContainers(pod)) {
					String where = overlay.name + " " + name(deployment) + ": ";
					Application application = Application.of(moduleOf((String) container.get("image")));
					Map<String, String> env = env(container);
					Set<String> dependedOn = new TreeSet<>();
					env.values().stream().filter(Objects::nonNull).forEach((value) -> {
						Matcher matcher = DEPENDENT.matcher(value);
						while (matcher.find()) {
							dependedOn.add(matcher.group(1));
						}
					});
					for (Map<String, Object> variable : Yamls.list(container, "env")) {
						String name = (String) variable.get("name");
						Map<String, Object> from = Yamls.map(variable, "valueFrom");
						boolean helper = from.containsKey("fieldRef") && dependedOn.contains(name);
						if (!helper && !JVM_VARIABLES.contains(name) && !NATIVE_VARIABLES.contains(name)
								&& !application.reads(name)) {
							problems
								.add(where + name + " is not read by " + application.module + " (its application.yml)");
						}
						if (!helper && !JVM_VARIABLES.contains(name) && !configurationDocs.contains("`" + name + "`")) {
							problems.add(where + name + " is not in docs/configuration.md");
						}
						Map<String, Object> secret = Yamls.map(from, "secretKeyRef");
						if (!secret.isEmpty() && !overlay.secretKeys.getOrDefault(secret.get("name"), Set.of())
							.contains(secret.get("key"))) {
							problems.add(where + name + " takes key " + secret.get("key") + " of Secret "
									+ secret.get("name") + ", which no secretGenerator declares (secrets.example)");
						}
						Map<String, Object> config = Yamls.map(from, "configMapKeyRef");
						if (!config.isEmpty() && !overlay.configMapKeys.getOrDefault(config.get("name"), Set.of())
							.contains(config.get("key"))) {
							problems.add(where + name + " takes key " + config.get("key") + " of ConfigMap "
									+ config.get("name") + ", which no configMapGenerator declares");
						}
					}
					// the kubelet expands $(NAME) only with a variable defined before it
					// in the list;
					// otherwise the text stays as it is
					List<String> order = new ArrayList<>(env.keySet());
					env.forEach((name, value) -> {
						Matcher matcher = DEPENDENT.matcher((value != null) ? value : "");
						while (matcher.find()) {
							if (order.indexOf(matcher.group(1)) < 0
									|| order.indexOf(matcher.group(1)) > order.indexOf(name)) {
								problems.add(where + name + " uses $(" + matcher.group(1)
										+ "), which is not a variable defined before it");
							}
						}
					});
					// an in-cluster URL names a Service of the installation and one of
					// its ports
					for (Map.Entry<String, String> variable : env.entrySet()) {
						String value = variable.getValue();
						if (value == null || !value.matches("https?://[a-z0-9-]+(:\\d+)?(/.*)?")) {
							continue;
						}
						URI uri = URI.create(value);
						Map<String, Object> service = overlay.named("Service", uri.getHost());
						if (service == null) {
							if (!uri.getHost().contains(".")) {
								problems.add(where + variable.getKey() + "=" + value + " names no Service");
							}
							continue;
						}
						boolean port = Yamls.list(Yamls.map(service, "spec"), "ports")
							.stream()
							.anyMatch((p) -> Objects.equals(p.get("port"), uri.getPort()));
						if (!port) {
							problems.add(where + variable.getKey() + "=" + value + ": Service " + uri.getHost()
									+ " has no port " + uri.getPort() + " (services: " + serviceNames + ")");
						}
					}
				}
				for (Map<String, Object> volume : Yamls.list(pod, "volumes")) {
					Map<String, Object> secret = Yamls.map(volume, "secret");
					if (!secret.isEmpty() && !overlay.secretKeys.containsKey(secret.get("secretName"))) {
						problems.add(overlay.name + " " + name(deployment) + ": volume " + volume.get("name")
								+ " mounts Secret " + secret.get("secretName") + ", which no secretGenerator makes");
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void filesGivenAsSettingsAreKeysOfTheMountedSecrets() {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				Map<String, Object> pod = podSpec(deployment);
				Map<String, String> secretVolumes = new LinkedHashMap<>();
				for (Map<String, Object> volume : Yamls.list(pod, "volumes")) {
					Map<String, Object> secret = Yamls.map(volume, "secret");
					if (!secret.isEmpty()) {
						secretVolumes.put((String) volume.get("name"), (String) secret.get("secretName"));
					}
				}
				for (Map<String, Object> container : allContainers(pod)) {
					for (Map<String, Object> mount : Yamls.list(container, "volumeMounts")) {
						String secret = secretVolumes.get(mount.get("name"));
						if (secret == null) {
							continue;
						}
						String prefix = mount.get("mountPath") + "/";
						env(container).forEach((name, value) -> {
							if (value != null && value.startsWith(prefix)
									&& !overlay.secretKeys.getOrDefault(secret, Set.of())
										.contains(value.substring(prefix.length()))) {
								problems.add(overlay.name + " " + name(deployment) + ": " + name + "=" + value
										+ " is not a key of Secret " + secret);
							}
						});
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void servicesPodDisruptionBudgetsAndAutoscalersTargetWhatExists() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> service : overlay.kind("Service")) {
				String where = overlay.name + " Service " + name(service) + ": ";
				Map<String, Object> selector = Yamls.map(Yamls.map(service, "spec"), "selector");
				List<Map<String, Object>> selected = overlay.deploymentsMatching(selector);
				if (selector.isEmpty() || selected.size() != 1) {
					problems.add(where + "its selector " + selector + " matches " + selected.size() + " Deployments");
					continue;
				}
				Map<String, Object> ports = new LinkedHashMap<>();
				Yamls.list(podSpec(selected.get(0)), "containers").forEach((c) -> ports.putAll(containerPorts(c)));
				for (Map<String, Object> port : Yamls.list(Yamls.map(service, "spec"), "ports")) {
					Object target = port.getOrDefault("targetPort", port.get("port"));
					if (!ports.containsKey(String.valueOf(target)) && !ports.containsValue(target)) {
						problems.add(where + "targetPort " + target + " is not a port of " + name(selected.get(0)));
					}
				}
			}
			Map<String, Integer> minimumReplicas = new LinkedHashMap<>();
			for (Map<String, Object> autoscaler : overlay.kind("HorizontalPodAutoscaler")) {
				String where = overlay.name + " HorizontalPodAutoscaler " + name(autoscaler) + ": ";
				Map<String, Object> spec = Yamls.map(autoscaler, "spec");
				Map<String, Object> target = Yamls.map(spec, "scaleTargetRef");
				Map<String, Object> deployment = overlay.named("Deployment", (String) target.get("name"));
				if (!"autoscaling/v2".equals(autoscaler.get("apiVersion")) || !"Deployment".equals(target.get("kind"))
						|| deployment == null) {
					problems.add(where + "its target " + target + " is not a Deployment of the overlay");
					continue;
				}
				int min = number(spec.getOrDefault("minReplicas", 1));
				minimumReplicas.put(name(deployment), min);
				if (min < 2 || number(spec.get("maxReplicas")) < min) {
					problems
						.add(where + "minReplicas " + min + " (at least 2), maxReplicas " + spec.get("maxReplicas"));
				}
				boolean cpu = Yamls.list(spec, "metrics")
					.stream()
					.anyMatch((m) -> "cpu".equals(Yamls.map(m, "resource").get("name")));
				boolean requests = Yamls.list(podSpec(deployment), "containers")
					.stream()
					.allMatch((c) -> Yamls.map(Yamls.map(c, "resources"), "requests").containsKey("cpu"));
				if (!cpu || !requests) {
					problems.add(where + "scales on CPU, which needs a cpu request on every container");
				}
				if (Yamls.map(deployment, "spec").containsKey("replicas")) {
					problems.add(where + "Deployment " + name(deployment)
							+ " sets replicas, which every apply would reset under the autoscaler");
				}
				Map<String, Object> strategy = Yamls.map(Yamls.map(deployment, "spec"), "strategy");
				if (!"RollingUpdate".equals(strategy.get("type"))
						|| !Objects.equals(0, Yamls.map(strategy, "rollingUpdate").get("maxUnavailable"))) {
					problems.add(where + name(deployment) + " must roll with maxUnavailable 0");
				}
			}
			for (String scaled : List.of("platform-api", "inference-worker")) {
				if (!minimumReplicas.containsKey(scaled)) {
					problems.add(overlay.name + ": no HorizontalPodAutoscaler for " + scaled);
				}
			}
			Set<String> protectedDeployments = new TreeSet<>();
			for (Map<String, Object> budget : overlay.kind("PodDisruptionBudget")) {
				String where = overlay.name + " PodDisruptionBudget " + name(budget) + ": ";
				Map<String, Object> spec = Yamls.map(budget, "spec");
				List<Map<String, Object>> selected = overlay
					.deploymentsMatching(Yamls.map(Yamls.map(spec, "selector"), "matchLabels"));
				if (selected.size() != 1) {
					problems.add(where + "matches " + selected.size() + " Deployments");
					continue;
				}
				String deployment = name(selected.get(0));
				protectedDeployments.add(deployment);
				int replicas = minimumReplicas.getOrDefault(deployment,
						number(Yamls.map(selected.get(0), "spec").getOrDefault("replicas", 1)));
				int minAvailable = number(spec.get("minAvailable"));
				if (minAvailable < 1 || minAvailable >= replicas) {
					problems.add(where + "minAvailable " + minAvailable + " with at least " + replicas
							+ " replicas: must keep one and let a node drain take one");
				}
			}
			// every Deployment that runs more than one replica (autoscaled, or a fixed
			// count such as the console's) keeps one through a node drain
			Set<String> replicated = new TreeSet<>(minimumReplicas.keySet());
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				if (number(Yamls.map(deployment, "spec").getOrDefault("replicas", 1)) >= 2) {
					replicated.add(name(deployment));
				}
			}
			if (!protectedDeployments.equals(replicated)) {
				problems.add(overlay.name + ": the Deployments with more than one replica " + replicated
						+ " and those with a PodDisruptionBudget " + protectedDeployments + " differ");
			}
		}
		assertNone(problems);
	}

	@Test
	void noSharedVolumeEveryModelStoreIsAnEmptyDirOfItsPod() {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> claim : overlay.kind("PersistentVolumeClaim")) {
				problems.add(overlay.name + ": PersistentVolumeClaim " + name(claim)
						+ ": no volume is shared any more (the model store is in PostgreSQL)");
			}
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				for (Map<String, Object> volume : Yamls.list(podSpec(deployment), "volumes")) {
					Set<String> sources = new TreeSet<>(volume.keySet());
					sources.remove("name");
					if (!Set.of("emptyDir").equals(sources) && !Set.of("secret").equals(sources)) {
						problems.add(overlay.name + " " + name(deployment) + ": volume " + volume.get("name") + " is "
								+ sources + ", not an emptyDir or a Secret");
					}
				}
			}
			for (String deployment : List.of("platform-api", "inference-worker")) {
				Map<String, Object> pod = podSpec(overlay.named("Deployment", deployment));
				Map<String, Object> container = Yamls.list(pod, "containers").get(0);
				String store = env(container).get("WARDEN_MODEL_STORE");
				Map<String, Object> volume = volumeAt(pod, container, store);
				if (store == null || volume == null || !volume.containsKey("emptyDir")) {
					problems.add(overlay.name + " " + deployment + ": WARDEN_MODEL_STORE=" + store
							+ " must be the mount path of an emptyDir of the pod (the root file system is read-only)");
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void workersCopyTheVersionsFromThePlatformAndNeverTrainIntoTheirCache() throws IOException {
		List<String> problems = new ArrayList<>();
		// the worker reads these settings, and the sync uses them
		Application worker = Application.of("inference-worker");
		Map<String, String> settings = Map.of("warden.worker.model-store.path", "WARDEN_MODEL_STORE",
				"warden.worker.model-store.sync", "WARDEN_MODEL_STORE_SYNC", "warden.registration.platform-url",
				"WARDEN_PLATFORM_URL", "warden.registration.token", "WARDEN_REGISTRATION_TOKEN");
		settings.forEach((property, variable) -> {
			if (!variable.equals(worker.variableOf(property))) {
				problems.add("inference-worker application.yml: " + property + " is not ${" + variable + "...}, but "
						+ worker.variableOf(property));
			}
		});
		Path storesync = ROOT.resolve("inference-worker/src/main/java/dev/warden/worker/storesync");
		String properties = Files.readString(storesync.resolve("StoreSyncProperties.java"));
		String sync = Files.readString(storesync.resolve("StoreSync.java"));
		if (!properties.contains("@ConfigurationProperties(\"warden.worker.model-store\")")
				|| !properties.matches("(?s).*record StoreSyncProperties\\(boolean sync\\b.*")
				|| !sync.contains("\"warden.registration.platform-url\"")
				|| !sync.contains("\"warden.registration.token\"")) {
			problems.add("storesync no longer reads warden.worker.model-store.sync, warden.registration.platform-url "
					+ "and warden.registration.token: change the worker's variables with it");
		}
		Dockerfile image = Dockerfile.of("inference-worker");
		for (Rendered overlay : overlays) {
			Map<String, Object> gateway = overlay.named("Deployment", "platform-api");
			Map<String, Object> gatewayContainer = Yamls.list(podSpec(gateway), "containers").get(0);
			Map<String, Object> workers = overlay.named("Deployment", "inference-worker");
			for (Map<String, Object> container : Yamls.list(podSpec(workers), "containers")) {
				String where = overlay.name + " inference-worker: ";
				Map<String, String> env = env(container);
				if (!"true".equals(env.get("WARDEN_MODEL_STORE_SYNC"))) {
					problems.add(where + "WARDEN_MODEL_STORE_SYNC must be \"true\": nothing else puts versions into "
							+ "its store");
				}
				// the platform URL: a Service that selects the gateways, on a port
				// that reaches their container port
				String url = env.getOrDefault("WARDEN_PLATFORM_URL", "");
				URI uri = URI.create(url.isEmpty() ? "missing:/" : url);
				Map<String, Object> service = (uri.getHost() != null) ? overlay.named("Service", uri.getHost()) : null;
				boolean gateways = service != null
						&& overlay.deploymentsMatching(Yamls.map(Yamls.map(service, "spec"), "selector"))
							.equals(List.of(gateway));
				boolean port = gateways && Yamls.list(Yamls.map(service, "spec"), "ports")
					.stream()
					.filter((p) -> Objects.equals(p.get("port"), uri.getPort()))
					.map((p) -> p.getOrDefault("targetPort", p.get("port")))
					.anyMatch((target) -> containerPorts(gatewayContainer).containsKey(String.valueOf(target))
							|| containerPorts(gatewayContainer).containsValue(target));
				if (!port) {
					problems.add(where + "WARDEN_PLATFORM_URL=" + url + " must name the gateways' Service and port");
				}
				Map<String, Object> token = secretRef(container, "WARDEN_REGISTRATION_TOKEN");
				if (token.isEmpty() || !token.equals(secretRef(gatewayContainer, "WARDEN_REGISTRATION_TOKEN"))) {
					problems.add(where + "WARDEN_REGISTRATION_TOKEN must come from the gateways' Secret key ("
							+ secretRef(gatewayContainer, "WARDEN_REGISTRATION_TOKEN") + "), not " + token);
				}
				if (!new Network(overlay).egress(workers, Peer.pod(gateway),
						containerPorts(gatewayContainer).get("http"))) {
					problems.add(where + "the network policies do not let it reach the gateways");
				}
				// the image's entry point trains income into an empty store: the cache
				// would then hold its own income/1, which the sync never replaces
				List<String> command = commandLine(container);
				boolean trains = command.isEmpty() ? image.entrypoint.contains(" train ")
						: command.stream().anyMatch((a) -> a.equals("train") || a.contains(" train "));
				if (trains) {
					problems.add(where + "trains a model into its cache ("
							+ (command.isEmpty() ? "the image's ENTRYPOINT" : command)
							+ "): set a command that only serves");
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void aReferenceModelIsTrainedOnlyIntoAGatewaysDirectoryStore() {
		List<String> problems = new ArrayList<>();
		Pattern storeArgument = Pattern.compile("\\btrain\\s+\\S+\\s+(?:.*\\s)?--store\\s+(\\S+?);?(?:\\s|$)");
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				Map<String, Object> pod = podSpec(deployment);
				Map<String, Object> main = Yamls.list(pod, "containers").get(0);
				for (Map<String, Object> container : allContainers(pod)) {
					String command = String.join(" ", commandLine(container));
					if (!command.matches("(?s).*\\btrain\\b.*")) {
						continue;
					}
					String where = overlay.name + " " + name(deployment) + " " + container.get("name") + ": ";
					boolean init = Yamls.list(pod, "initContainers").contains(container);
					if (!init || !name(deployment).equals("platform-api")) {
						problems.add(where + "trains; only an init container of the gateways may (its version "
								+ "reaches the workers through the gateway's import into PostgreSQL)");
						continue;
					}
					Matcher matcher = storeArgument.matcher(command);
					String store = env(main).get("WARDEN_MODEL_STORE");
					if (!matcher.find() || !matcher.group(1).equals(store)) {
						problems.add(where + "must train into the gateway's WARDEN_MODEL_STORE (" + store + ")");
						continue;
					}
					Map<String, Object> volume = volumeAt(pod, container, store);
					if (volume == null || volume != volumeAt(pod, main, store)) {
						problems.add(where + "does not mount the gateway's store volume at " + store);
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void shutdownFitsTheGracePeriod() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				Map<String, Object> pod = podSpec(deployment);
				int grace = number(pod.getOrDefault("terminationGracePeriodSeconds", 30));
				for (Map<String, Object> container : Yamls.list(pod, "containers")) {
					Application application = Application.of(moduleOf((String) container.get("image")));
					long shutdown = application.shutdownTimeout(env(container)).toSeconds();
					List<Object> preStop = Yamls
						.objects(Yamls.map(Yamls.map(Yamls.map(container, "lifecycle"), "preStop"), "exec"), "command");
					long sleep = (preStop.size() == 2 && "sleep".equals(preStop.get(0)))
							? Long.parseLong(String.valueOf(preStop.get(1))) : 0;
					// after the graceful phase the beans close: the request log commits
					// what is queued,
					// bounded by its write timeout (10 s); 5 s more for the JVM
					long needed = sleep + shutdown + 10 + 5;
					if (grace < needed) {
						problems.add(overlay.name + " " + name(deployment) + ": terminationGracePeriodSeconds " + grace
								+ " < preStop " + sleep + " s + graceful shutdown " + shutdown + " s + 15 s");
					}
					if (!preStop.isEmpty() && sleep == 0) {
						problems.add(overlay.name + " " + name(deployment) + ": preStop is not [sleep, N]: " + preStop);
					}
				}
			}
		}
		assertNone(problems);
	}

	@Test
	void networkPoliciesLetOnlyGatewaysReachWorkersAndOnlyPlatformApiReachPostgres() {
		List<String> problems = new ArrayList<>();
		Set<String> expected = Set.of("platform-api->inference-worker", "platform-api->admin-ui",
				"inference-worker->platform-api", "admin-ui->platform-api");
		for (Rendered overlay : overlays) {
			Network network = new Network(overlay);
			problems.addAll(network.problems);
			if (!network.defaultDeny) {
				problems.add(overlay.name + ": no default-deny policy (podSelector {}, Ingress and Egress, no rules)");
			}
			for (Map<String, Object> from : overlay.kind("Deployment")) {
				for (Map<String, Object> to : overlay.kind("Deployment")) {
					for (Object port : containerPorts(Yamls.list(podSpec(to), "containers").get(0)).values()) {
						boolean allowed = network.egress(from, Peer.pod(to), port)
								&& network.ingress(to, Peer.pod(from), port);
						String pair = name(from) + "->" + name(to);
						if (allowed != expected.contains(pair)) {
							problems.add(overlay.name + ": " + pair + ":" + port
									+ (allowed ? " is allowed" : " is refused"));
						}
					}
				}
				// outside the cluster: name lookups for all; the database for
				// platform-api only
				if (!network.egress(from, Peer.address("198.51.100.1"), 53)) {
					problems.add(overlay.name + ": " + name(from) + " cannot resolve names (port 53)");
				}
				boolean database = network.egress(from, Peer.address(network.databaseAddress), network.databasePort);
				if (database != name(from).equals("platform-api")) {
					problems.add(overlay.name + ": " + name(from) + (database ? " reaches" : " does not reach")
							+ " PostgreSQL at " + network.databaseAddress + ":" + network.databasePort);
				}
			}
			// tenants and browsers reach the gateway and the console, never a worker;
			// Prometheus scrapes
			Peer outside = Peer.address("203.0.113.7");
			Peer prometheus = Peer.inNamespace("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
			Map<String, Boolean> fromOutside = Map.of("platform-api", true, "admin-ui", true, "inference-worker",
					false);
			for (Map<String, Object> to : overlay.kind("Deployment")) {
				Object port = containerPorts(Yamls.list(podSpec(to), "containers").get(0)).values().iterator().next();
				if (network.ingress(to, outside, port) != fromOutside.get(name(to))) {
					problems.add(overlay.name + ": " + name(to) + " from outside the cluster: "
							+ (fromOutside.get(name(to)) ? "refused" : "allowed"));
				}
				String scrape = (String) Yamls
					.map(Yamls.map(Yamls.map(Yamls.map(to, "spec"), "template"), "metadata"), "annotations")
					.get("prometheus.io/port");
				if (scrape != null && !network.ingress(to, prometheus, Integer.parseInt(scrape))) {
					problems.add(overlay.name + ": Prometheus cannot scrape " + name(to) + " on " + scrape);
				}
			}
			// the port of the database policy is the port of the database URL given to
			// the gateway
			String url = Env.read(SECRETS_EXAMPLE.resolve("gateway.env")).get("WARDEN_DB_URL");
			int urlPort = URI.create(url.substring("jdbc:".length())).getPort();
			if (urlPort != network.databasePort) {
				problems.add(overlay.name + ": the database egress port " + network.databasePort
						+ " is not the port of WARDEN_DB_URL (" + urlPort + ")");
			}
		}
		assertNone(problems);
	}

	@Test
	void metricsAreScrapedWhereTheApplicationServesThemWithTheScrapeToken() throws IOException {
		List<String> problems = new ArrayList<>();
		for (Rendered overlay : overlays) {
			for (Map<String, Object> deployment : overlay.kind("Deployment")) {
				Map<String, Object> container = Yamls.list(podSpec(deployment), "containers").get(0);
				Application application = Application.of(moduleOf((String) container.get("image")));
				Map<String, Object> annotations = Yamls
					.map(Yamls.map(Yamls.map(Yamls.map(deployment, "spec"), "template"), "metadata"), "annotations");
				String where = overlay.name + " " + name(deployment) + ": ";
				if (application.exposes("prometheus") != "true".equals(annotations.get("prometheus.io/scrape"))) {
					problems.add(where + "prometheus.io/scrape must be \"true\" exactly where /actuator/prometheus is "
							+ "exposed");
				}
				if ("true".equals(annotations.get("prometheus.io/scrape"))) {
					if (!"/actuator/prometheus".equals(annotations.get("prometheus.io/path"))
							|| !containerPorts(container)
								.containsValue(number(annotations.get("prometheus.io/port")))) {
						problems.add(
								where + "prometheus.io/path and port must be /actuator/prometheus on a container port");
					}
				}
			}
			for (Map<String, Object> monitor : overlay.kind("ServiceMonitor")) {
				String where = overlay.name + " ServiceMonitor " + name(monitor) + ": ";
				Map<String, Object> spec = Yamls.map(monitor, "spec");
				Map<String, Object> labels = Yamls.map(Yamls.map(spec, "selector"), "matchLabels");
				List<Map<String, Object>> services = overlay.kind("Service")
					.stream()
					.filter((s) -> matches(labels, Yamls.map(Yamls.map(s, "metadata"), "labels")))
					.toList();
				if (services.size() != 1) {
					problems.add(where + "selects " + services.size() + " Services");
					continue;
				}
				Map<String, Object> deployment = overlay
					.deploymentsMatching(Yamls.map(Yamls.map(services.get(0), "spec"), "selector"))
					.get(0);
				Map<String, Object> container = Yamls.list(podSpec(deployment), "containers").get(0);
				for (Map<String, Object> endpoint : Yamls.list(spec, "endpoints")) {
					boolean port = Yamls.list(Yamls.map(services.get(0), "spec"), "ports")
						.stream()
						.anyMatch((p) -> Objects.equals(p.get("name"), endpoint.get("port")));
					if (!port || !"/actuator/prometheus".equals(endpoint.get("path"))) {
						problems.add(where + "endpoint " + endpoint
								+ " is not /actuator/prometheus on a port of the Service");
					}
					Map<String, Object> credentials = Yamls.map(Yamls.map(endpoint, "authorization"), "credentials");
					Map<String, Object> token = null;
					for (Map<String, Object> variable : Yamls.list(container, "env")) {
						if ("WARDEN_METRICS_SCRAPE_TOKEN".equals(variable.get("name"))) {
							token = Yamls.map(Yamls.map(variable, "valueFrom"), "secretKeyRef");
						}
					}
					if (token != null && !token.equals(credentials)) {
						problems.add(where + "the scrape must send the gateway's WARDEN_METRICS_SCRAPE_TOKEN (" + token
								+ "), not " + credentials);
					}
				}
			}
		}
		assertNone(problems);
	}

	// ----------------------------------------------------------------------------------
	// helpers

	private static void assertNone(List<String> problems) {
		assertThat(problems).as(String.join("\n", problems)).isEmpty();
	}

	private static List<Path> list(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.sorted().toList();
		}
	}

	private static Set<String> difference(Set<String> a, Set<String> b) {
		Set<String> out = new TreeSet<>(a);
		out.removeAll(b);
		return out;
	}

	static String name(Map<String, Object> object) {
		return (String) Yamls.map(object, "metadata").get("name");
	}

	static Map<String, Object> podSpec(Map<String, Object> deployment) {
		return Yamls.map(Yamls.map(Yamls.map(deployment, "spec"), "template"), "spec");
	}

	static Map<String, Object> podLabels(Map<String, Object> deployment) {
		return Yamls.map(Yamls.map(Yamls.map(Yamls.map(deployment, "spec"), "template"), "metadata"), "labels");
	}

	/**
	 * The pod's init containers, then its containers: both run the images, mount the
	 * volumes and need resources and a locked-down security context.
	 */
	static List<Map<String, Object>> allContainers(Map<String, Object> pod) {
		List<Map<String, Object>> all = new ArrayList<>(Yamls.list(pod, "initContainers"));
		all.addAll(Yamls.list(pod, "containers"));
		return all;
	}

	/** The pod's volume mounted by the container exactly at the path, or null. */
	static Map<String, Object> volumeAt(Map<String, Object> pod, Map<String, Object> container, String path) {
		String volume = Yamls.list(container, "volumeMounts")
			.stream()
			.filter((m) -> Objects.equals(path, m.get("mountPath")))
			.map((m) -> (String) m.get("name"))
			.findFirst()
			.orElse(null);
		return Yamls.list(pod, "volumes")
			.stream()
			.filter((v) -> Objects.equals(volume, v.get("name")))
			.findFirst()
			.orElse(null);
	}

	/** The secretKeyRef a variable of the container takes its value from, or empty. */
	static Map<String, Object> secretRef(Map<String, Object> container, String variable) {
		for (Map<String, Object> entry : Yamls.list(container, "env")) {
			if (variable.equals(entry.get("name"))) {
				return Yamls.map(Yamls.map(entry, "valueFrom"), "secretKeyRef");
			}
		}
		return Map.of();
	}

	/** Port name (or number as text) to number. */
	static Map<String, Object> containerPorts(Map<String, Object> container) {
		Map<String, Object> ports = new LinkedHashMap<>();
		for (Map<String, Object> port : Yamls.list(container, "ports")) {
			ports.put(String.valueOf(port.getOrDefault("name", port.get("containerPort"))), port.get("containerPort"));
		}
		return ports;
	}

	/**
	 * The container's variables; {@code null} for one whose value comes from elsewhere.
	 */
	static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> env = new LinkedHashMap<>();
		for (Map<String, Object> variable : Yamls.list(container, "env")) {
			env.put((String) variable.get("name"), (String) variable.get("value"));
		}
		return env;
	}

	static List<String> commandLine(Map<String, Object> container) {
		List<String> out = new ArrayList<>();
		Yamls.objects(container, "command").forEach((a) -> out.add(String.valueOf(a)));
		Yamls.objects(container, "args").forEach((a) -> out.add(String.valueOf(a)));
		return out;
	}

	/** {@code [registry/]warden-<module>[:tag]} to the module, if it has a Dockerfile. */
	static String moduleOf(String image) {
		String last = image.substring(image.lastIndexOf('/') + 1);
		String name = last.contains(":") ? last.substring(0, last.indexOf(':')) : last;
		if (!name.startsWith("warden-")) {
			return null;
		}
		String module = name.substring("warden-".length());
		return Files.isRegularFile(ROOT.resolve("docker/Dockerfile." + module))
				&& Files.isRegularFile(ROOT.resolve(module).resolve("src/main/resources/application.yml")) ? module
						: null;
	}

	static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
		return selector.entrySet().stream().allMatch((e) -> Objects.equals(labels.get(e.getKey()), e.getValue()));
	}

	static int number(Object value) {
		if (value instanceof Number number) {
			return number.intValue();
		}
		try {
			return Integer.parseInt(String.valueOf(value));
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	static Duration duration(String value) {
		Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(value.strip());
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not a duration: " + value);
		}
		long amount = Long.parseLong(matcher.group(1));
		String unit = (matcher.group(2) != null) ? matcher.group(2) : "ms";
		return switch (unit) {
			case "ms" -> Duration.ofMillis(amount);
			case "s" -> Duration.ofSeconds(amount);
			case "m" -> Duration.ofMinutes(amount);
			default -> Duration.ofHours(amount);
		};
	}

	// ----------------------------------------------------------------------------------
	// what the files say

	/**
	 * Fields the API's types do not have: fabric8's model keeps them aside (as additional
	 * properties) instead of failing, so every object of the typed tree is asked for
	 * them.
	 */
	static final class Schema {

		private Schema() {
		}

		static void unknownFields(Object value, String path, List<String> problems, String where) {
			if (value instanceof Map<?, ?> map) {
				map.forEach((key, child) -> unknownFields(child, path + "." + key, problems, where));
				return;
			}
			if (value instanceof List<?> list) {
				for (int i = 0; i < list.size(); i++) {
					unknownFields(list.get(i), path + "[" + i + "]", problems, where);
				}
				return;
			}
			if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
				return;
			}
			for (Method getter : value.getClass().getMethods()) {
				if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
						|| !getter.getDeclaringClass().getName().startsWith("io.fabric8.")) {
					continue;
				}
				Object child;
				try {
					child = getter.invoke(value);
				}
				catch (IllegalAccessException | InvocationTargetException ex) {
					continue;
				}
				if (getter.getName().equals("getAdditionalProperties")) {
					if (child instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
						problems.add(where + ": " + path + " has no field " + unknown.keySet()
								+ " in the Kubernetes API (" + value.getClass().getSimpleName() + ")");
					}
				}
				else {
					String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
					unknownFields(child, path + "." + field, problems, where);
				}
			}
		}

	}

	/** Loading YAML into plain maps and lists, and walking them without casts. */
	static final class Yamls {

		private Yamls() {
		}

		@SuppressWarnings("unchecked")
		static List<Map<String, Object>> loadAll(Path file) throws IOException {
			List<Map<String, Object>> documents = new ArrayList<>();
			try (Reader reader = Files.newBufferedReader(file)) {
				for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader)) {
					if (document instanceof Map) {
						documents.add((Map<String, Object>) document);
					}
					else if (document != null) {
						throw new IllegalArgumentException(file + ": a document that is not a mapping");
					}
				}
			}
			return documents;
		}

		@SuppressWarnings("unchecked")
		static Map<String, Object> map(Map<String, Object> parent, String key) {
			Object value = (parent != null) ? parent.get(key) : null;
			return (value instanceof Map) ? (Map<String, Object>) value : Map.of();
		}

		/** A list of mappings (containers, env, rules ...). */
		@SuppressWarnings("unchecked")
		static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
			Object value = (parent != null) ? parent.get(key) : null;
			return (value instanceof List) ? (List<Map<String, Object>>) value : List.of();
		}

		@SuppressWarnings("unchecked")
		static List<String> strings(Map<String, Object> parent, String key) {
			Object value = (parent != null) ? parent.get(key) : null;
			return (value instanceof List) ? (List<String>) value : List.of();
		}

		@SuppressWarnings("unchecked")
		static List<Object> objects(Map<String, Object> parent, String key) {
			Object value = (parent != null) ? parent.get(key) : null;
			return (value instanceof List) ? (List<Object>) value : List.of();
		}

		/**
		 * kustomize's strategic merge for what the patches here use: maps merge key by
		 * key, lists of named items (containers, env, volumes, ports) merge by name (the
		 * items only the patch has first, as kustomize orders them), any other list is
		 * replaced, {@code null} deletes.
		 */
		@SuppressWarnings("unchecked")
		static Object merge(Object base, Object patch) {
			if (base instanceof Map && patch instanceof Map) {
				Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) base);
				((Map<String, Object>) patch).forEach((key, value) -> {
					if (value == null) {
						out.remove(key);
					}
					else {
						out.put(key, merge(out.get(key), value));
					}
				});
				return out;
			}
			if (base instanceof List<?> baseList && patch instanceof List<?> patchList && named(baseList)
					&& named(patchList)) {
				List<Object> out = new ArrayList<>(baseList);
				int added = 0;
				for (Object item : patchList) {
					Object itemName = ((Map<String, Object>) item).get("name");
					int index = -1;
					for (int i = 0; i < out.size(); i++) {
						if (Objects.equals(((Map<String, Object>) out.get(i)).get("name"), itemName)) {
							index = i;
						}
					}
					if (index >= 0) {
						out.set(index, merge(out.get(index), item));
					}
					else {
						// kustomize puts the items only the patch has first
						out.add(added++, item);
					}
				}
				return out;
			}
			return patch;
		}

		private static boolean named(List<?> items) {
			return !items.isEmpty()
					&& items.stream().allMatch((i) -> i instanceof Map<?, ?> m && m.containsKey("name"));
		}

	}

	/**
	 * A {@code KEY=value} file as kustomize reads it (comments and blank lines skipped).
	 */
	static final class Env {

		private Env() {
		}

		static Map<String, String> read(Path file) {
			Map<String, String> out = new LinkedHashMap<>();
			try {
				for (String line : Files.readAllLines(file)) {
					String stripped = line.strip();
					if (!stripped.isEmpty() && !stripped.startsWith("#") && stripped.contains("=")) {
						out.put(stripped.substring(0, stripped.indexOf('=')),
								stripped.substring(stripped.indexOf('=') + 1));
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			return out;
		}

	}

	/** Kubernetes quantities, enough to compare a request with its limit. */
	static final class Quantity {

		private Quantity() {
		}

		static double parse(Object value) {
			Matcher matcher = Pattern.compile("([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G)?").matcher(String.valueOf(value));
			if (!matcher.matches()) {
				throw new IllegalArgumentException("not a quantity: " + value);
			}
			double amount = Double.parseDouble(matcher.group(1));
			String unit = (matcher.group(2) != null) ? matcher.group(2) : "";
			return amount * switch (unit) {
				case "m" -> 0.001;
				case "Ki" -> 1024.0;
				case "Mi" -> 1024.0 * 1024;
				case "Gi" -> 1024.0 * 1024 * 1024;
				case "Ti" -> 1024.0 * 1024 * 1024 * 1024;
				case "k" -> 1e3;
				case "M" -> 1e6;
				case "G" -> 1e9;
				default -> 1.0;
			};
		}

	}

	/**
	 * What a module's {@code application.yml} and main sources say it reads and serves.
	 */
	static final class Application {

		final String module;

		private final Map<String, Object> yaml;

		private final String text;

		private final Map<String, String> placeholders = new LinkedHashMap<>();

		private Application(String module) throws IOException {
			this.module = module;
			Path file = ROOT.resolve(module).resolve("src/main/resources/application.yml");
			this.text = Files.readString(file);
			this.yaml = Yamls.loadAll(file).get(0);
			Matcher matcher = PLACEHOLDER.matcher(this.text);
			while (matcher.find()) {
				this.placeholders.putIfAbsent(matcher.group(1), matcher.group(2));
			}
		}

		static Application of(String module) {
			try {
				return new Application(Objects.requireNonNull(module, "not an image of a Warden module"));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

		boolean reads(String variable) {
			return this.placeholders.containsKey(variable);
		}

		/**
		 * The variable a property's value starts with ({@code ${VAR:default}}), or null.
		 */
		String variableOf(String property) {
			String[] keys = property.split("\\.");
			Map<String, Object> parent = this.yaml;
			for (int i = 0; i < keys.length - 1; i++) {
				parent = Yamls.map(parent, keys[i]);
			}
			Matcher matcher = PLACEHOLDER.matcher(String.valueOf(parent.get(keys[keys.length - 1])));
			return matcher.lookingAt() ? matcher.group(1) : null;
		}

		/**
		 * {@code ${VAR:default}} of a setting, as the container's variables resolve it.
		 */
		private String resolve(Object setting, Map<String, String> env) {
			Matcher matcher = PLACEHOLDER.matcher(String.valueOf(setting));
			if (!matcher.matches()) {
				return String.valueOf(setting);
			}
			String given = env.get(matcher.group(1));
			return (given != null) ? given : matcher.group(2);
		}

		Object port(Map<String, String> env) {
			return Integer.parseInt(resolve(Yamls.map(this.yaml, "server").get("port"), env));
		}

		Duration shutdownTimeout(Map<String, String> env) {
			assertThat(Yamls.map(this.yaml, "server").get("shutdown")).as(this.module + " server.shutdown")
				.isEqualTo("graceful");
			Object setting = Yamls.map(Yamls.map(this.yaml, "spring"), "lifecycle").get("timeout-per-shutdown-phase");
			return duration((setting != null) ? resolve(setting, env) : "30s");
		}

		boolean exposes(String endpoint) {
			Object include = Yamls
				.map(Yamls.map(Yamls.map(Yamls.map(this.yaml, "management"), "endpoints"), "web"), "exposure")
				.get("include");
			return include != null && List.of(String.valueOf(include).split("\\s*,\\s*")).contains(endpoint);
		}

		/**
		 * Why a probe of {@code path} would not get 200 from this application, or null.
		 */
		String refusesProbe(String path, boolean callersNeedAToken) {
			if (path.equals("/actuator/health/liveness") || path.equals("/actuator/health/readiness")) {
				Map<String, Object> health = Yamls.map(Yamls.map(Yamls.map(this.yaml, "management"), "endpoint"),
						"health");
				if (!exposes("health") || !Boolean.TRUE.equals(Yamls.map(health, "probes").get("enabled"))) {
					return this.module + " does not enable the health probe groups";
				}
			}
			else if (!mainSourcesContain("\"" + path + "\"")) {
				return this.module + " serves no such path";
			}
			if (callersNeedAToken) {
				Path filter = ROOT.resolve(this.module)
					.resolve("src/main/java/dev/warden/worker/registration/CallerTokenFilter.java");
				try {
					if (Files.exists(filter) && !Files.readString(filter).contains("\"" + path + "\"")) {
						return "with WARDEN_REGISTRATION_TOKEN set, CallerTokenFilter refuses it to the kubelet (not OPEN)";
					}
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}
			return null;
		}

		private boolean mainSourcesContain(String literal) {
			try (Stream<Path> files = Files.walk(ROOT.resolve(this.module).resolve("src/main/java"))) {
				return files.filter((f) -> f.toString().endsWith(".java")).anyMatch((f) -> {
					try {
						return Files.readString(f).contains(literal);
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				});
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** The paths a Dockerfile puts into its image, and its ENV. */
	static final class Dockerfile {

		final Set<String> paths = new LinkedHashSet<>();

		final Map<String, String> env = new LinkedHashMap<>();

		/** The ENTRYPOINT line as written (empty without one). */
		String entrypoint = "";

		static Dockerfile of(String module) {
			Dockerfile dockerfile = new Dockerfile();
			try {
				String text = Files.readString(ROOT.resolve("docker/Dockerfile." + module)).replace("\\\n", " ");
				for (String line : text.lines().map(String::strip).toList()) {
					String[] words = line.split("\\s+");
					if (words[0].equals("COPY") || words[0].equals("ADD")) {
						dockerfile.paths.add(words[words.length - 1]);
					}
					else if (words[0].equals("ENTRYPOINT")) {
						dockerfile.entrypoint = line;
					}
					else if (words[0].equals("WORKDIR")) {
						dockerfile.paths.add(words[1]);
					}
					else if (words[0].equals("RUN")) {
						Matcher mkdir = Pattern.compile("mkdir -p (\\S+)").matcher(line);
						while (mkdir.find()) {
							dockerfile.paths.add(mkdir.group(1));
						}
					}
					else if (words[0].equals("ENV")) {
						Matcher pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(line);
						while (pair.find()) {
							dockerfile.env.put(pair.group(1), pair.group(2).replaceAll("^\"|\"$", ""));
						}
					}
				}
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			return dockerfile;
		}

	}

	/**
	 * One overlay put together: its objects after patches and image changes, the keys of
	 * every generated Secret and ConfigMap, the files it used, and what was missing.
	 */
	static final class Rendered {

		final String name;

		final List<Map<String, Object>> objects = new ArrayList<>();

		final Map<String, Set<String>> secretKeys = new LinkedHashMap<>();

		final Map<String, Set<String>> configMapKeys = new LinkedHashMap<>();

		final Set<Path> files = new LinkedHashSet<>();

		final List<String> problems = new ArrayList<>();

		String namespace;

		private Rendered(String name) {
			this.name = name;
		}

		static Rendered of(Path overlay) throws IOException {
			Rendered rendered = new Rendered(overlay.getFileName().toString());
			rendered.build(overlay.normalize());
			return rendered;
		}

		List<Map<String, Object>> kind(String kind) {
			return this.objects.stream().filter((o) -> kind.equals(o.get("kind"))).toList();
		}

		Map<String, Object> named(String kind, String name) {
			return kind(kind).stream().filter((o) -> name.equals(name(o))).findFirst().orElse(null);
		}

		List<Map<String, Object>> deploymentsMatching(Map<String, Object> selector) {
			return kind("Deployment").stream().filter((d) -> matches(selector, podLabels(d))).toList();
		}

		private Path existing(Path dir, String entry, String what) {
			Path path = dir.resolve(entry).normalize();
			if (!Files.exists(path)) {
				this.problems.add(KUBERNETES.relativize(dir.resolve("kustomization.yaml")) + ": " + what + " " + entry
						+ " does not exist");
				return null;
			}
			return path;
		}

		/** A file the operator writes (secrets/): its example stands in for it. */
		private Path operatorFile(Path dir, String entry) {
			Path path = dir.resolve(entry).normalize();
			if (entry.startsWith("secrets/")) {
				Path example = SECRETS_EXAMPLE.resolve(entry.substring("secrets/".length()));
				if (!Files.exists(example)) {
					this.problems
						.add(KUBERNETES.relativize(dir) + ": " + entry + " has no example in secrets.example/");
					return null;
				}
				if (Files.exists(path) && !Env.read(path).keySet().equals(Env.read(example).keySet())
						&& entry.endsWith(".env")) {
					this.problems.add(KUBERNETES.relativize(path) + " has other keys than its example");
				}
				return example;
			}
			return existing(dir, entry, "file");
		}

		@SuppressWarnings("unchecked")
		private void build(Path dir) throws IOException {
			Path file = dir.resolve("kustomization.yaml");
			this.files.add(file);
			Map<String, Object> kustomization = Yamls.loadAll(file).get(0);
			if (kustomization.get("namespace") != null) {
				this.namespace = (String) kustomization.get("namespace");
			}
			for (String entry : Yamls.strings(kustomization, "resources")) {
				Path path = existing(dir, entry, "resource");
				if (path != null && Files.isDirectory(path)) {
					build(path);
				}
				else if (path != null) {
					this.files.add(path);
					this.objects.addAll(Yamls.loadAll(path));
				}
			}
			for (String entry : Yamls.strings(kustomization, "components")) {
				Path path = existing(dir, entry, "component");
				if (path != null) {
					build(path);
				}
			}
			for (String entry : Yamls.strings(kustomization, "configurations")) {
				Path path = existing(dir, entry, "configuration");
				if (path != null) {
					this.files.add(path);
				}
			}
			generate(dir, Yamls.list(kustomization, "configMapGenerator"), this.configMapKeys);
			generate(dir, Yamls.list(kustomization, "secretGenerator"), this.secretKeys);
			for (Map<String, Object> patch : Yamls.list(kustomization, "patches")) {
				Path path = existing(dir, (String) patch.get("path"), "patch");
				if (path == null) {
					continue;
				}
				this.files.add(path);
				for (Map<String, Object> document : Yamls.loadAll(path)) {
					int index = -1;
					for (int i = 0; i < this.objects.size(); i++) {
						Map<String, Object> object = this.objects.get(i);
						if (Objects.equals(object.get("kind"), document.get("kind"))
								&& Objects.equals(name(object), name(document))) {
							index = i;
						}
					}
					if (index < 0) {
						this.problems.add(KUBERNETES.relativize(path) + " patches " + document.get("kind") + " "
								+ name(document) + ", which the overlay does not have");
					}
					else {
						this.objects.set(index, (Map<String, Object>) Yamls.merge(this.objects.get(index), document));
					}
				}
			}
			for (Map<String, Object> image : Yamls.list(kustomization, "images")) {
				for (Map<String, Object> deployment : kind("Deployment")) {
					for (Map<String, Object> container : allContainers(podSpec(deployment))) {
						String current = (String) container.get("image");
						String bare = current.contains(":") ? current.substring(0, current.lastIndexOf(':')) : current;
						if (bare.equals(image.get("name"))) {
							String newName = (String) image.getOrDefault("newName", bare);
							Object tag = image.get("newTag");
							container.put("image", newName + ((tag != null) ? ":" + tag : ""));
						}
					}
				}
			}
		}

		private void generate(Path dir, List<Map<String, Object>> generators, Map<String, Set<String>> keys) {
			for (Map<String, Object> generator : generators) {
				String name = (String) generator.get("name");
				Set<String> generated = new LinkedHashSet<>();
				for (String entry : Yamls.strings(generator, "envs")) {
					Path path = operatorFile(dir, entry);
					if (path != null) {
						this.files.add(path);
						generated.addAll(Env.read(path).keySet());
					}
				}
				for (String entry : Yamls.strings(generator, "files")) {
					String key = entry.contains("=") ? entry.substring(0, entry.indexOf('='))
							: Path.of(entry).getFileName().toString();
					Path path = operatorFile(dir, entry.substring(entry.indexOf('=') + 1));
					if (path != null) {
						generated.add(key);
					}
				}
				for (String literal : Yamls.strings(generator, "literals")) {
					generated.add(literal.substring(0, literal.indexOf('=')));
				}
				String behavior = (String) generator.getOrDefault("behavior", "create");
				if (behavior.equals("merge")) {
					if (!keys.containsKey(name)) {
						this.problems.add(KUBERNETES.relativize(dir) + ": merges into " + name
								+ ", which the base does not make");
					}
					keys.computeIfAbsent(name, (n) -> new LinkedHashSet<>()).addAll(generated);
				}
				else if (keys.put(name, generated) != null && behavior.equals("create")) {
					this.problems.add(KUBERNETES.relativize(dir) + ": " + name + " is generated twice");
				}
			}
		}

	}

	/** Whom a pod, or an address outside the cluster, may call. */
	record Peer(String namespace, Map<String, Object> labels, String address) {

		static Peer pod(Map<String, Object> deployment) {
			return new Peer(null, podLabels(deployment), null);
		}

		static Peer inNamespace(String namespace, Map<String, Object> labels) {
			return new Peer(namespace, Map.copyOf(labels), null);
		}

		static Peer address(String address) {
			return new Peer(null, null, address);
		}

	}

	/** The overlay's NetworkPolicies, evaluated as the API defines them. */
	static final class Network {

		final List<String> problems = new ArrayList<>();

		final boolean defaultDeny;

		final String databaseAddress;

		final int databasePort;

		private final Rendered overlay;

		Network(Rendered overlay) {
			this.overlay = overlay;
			boolean deny = false;
			for (Map<String, Object> policy : overlay.kind("NetworkPolicy")) {
				Map<String, Object> spec = Yamls.map(policy, "spec");
				Map<String, Object> selector = Yamls.map(Yamls.map(spec, "podSelector"), "matchLabels");
				if (!selector.isEmpty() && overlay.deploymentsMatching(selector).isEmpty()) {
					this.problems.add(overlay.name + " NetworkPolicy " + name(policy) + ": its podSelector " + selector
							+ " matches no pods");
				}
				for (String direction : List.of("ingress", "egress")) {
					for (Map<String, Object> rule : Yamls.list(spec, direction)) {
						for (Map<String, Object> peer : Yamls.list(rule, direction.equals("ingress") ? "from" : "to")) {
							Map<String, Object> pods = Yamls.map(Yamls.map(peer, "podSelector"), "matchLabels");
							if (!pods.isEmpty() && !peer.containsKey("namespaceSelector")
									&& overlay.deploymentsMatching(pods).isEmpty()) {
								this.problems.add(overlay.name + " NetworkPolicy " + name(policy) + ": " + direction
										+ " peer " + pods + " matches no pods");
							}
						}
					}
				}
				deny |= Yamls.map(spec, "podSelector").isEmpty() && !spec.containsKey("ingress")
						&& !spec.containsKey("egress")
						&& Yamls.strings(spec, "policyTypes").containsAll(List.of("Ingress", "Egress"));
			}
			this.defaultDeny = deny;
			// the database's address range and port: the overlay's parameter
			Map<String, Object> database = overlay.named("NetworkPolicy", "platform-api-egress-database");
			List<Map<String, Object>> rules = Yamls.list(Yamls.map(database, "spec"), "egress");
			Map<String, Object> rule = rules.isEmpty() ? Map.of() : rules.get(0);
			String cidr = Yamls.list(rule, "to")
				.stream()
				.map((to) -> (String) Yamls.map(to, "ipBlock").get("cidr"))
				.filter(Objects::nonNull)
				.findFirst()
				.orElse(null);
			if (cidr == null || rules.size() != 1 || Yamls.list(rule, "ports").size() != 1) {
				this.problems.add(overlay.name + ": NetworkPolicy platform-api-egress-database must have one egress "
						+ "rule to the database's ipBlock and port");
				cidr = "192.0.2.1/32";
			}
			this.databaseAddress = cidr.substring(0, cidr.indexOf('/'));
			this.databasePort = Yamls.list(rule, "ports").isEmpty() ? 5432
					: number(Yamls.list(rule, "ports").get(0).get("port"));
		}

		boolean ingress(Map<String, Object> target, Peer from, Object port) {
			return allowed(target, "Ingress", from, port);
		}

		boolean egress(Map<String, Object> source, Peer to, Object port) {
			return allowed(source, "Egress", to, port);
		}

		private boolean allowed(Map<String, Object> pod, String type, Peer peer, Object port) {
			boolean isolated = false;
			for (Map<String, Object> policy : this.overlay.kind("NetworkPolicy")) {
				Map<String, Object> spec = Yamls.map(policy, "spec");
				if (!matches(Yamls.map(Yamls.map(spec, "podSelector"), "matchLabels"), podLabels(pod))) {
					continue;
				}
				List<String> types = Yamls.strings(spec, "policyTypes");
				if (types.isEmpty()) {
					types = spec.containsKey("egress") ? List.of("Ingress", "Egress") : List.of("Ingress");
				}
				if (!types.contains(type)) {
					continue;
				}
				isolated = true;
				String key = type.equals("Ingress") ? "ingress" : "egress";
				for (Map<String, Object> rule : Yamls.list(spec, key)) {
					Map<String, Object> portPod = type.equals("Ingress") ? pod : null;
					if (peerMatches(rule, type.equals("Ingress") ? "from" : "to", peer)
							&& portMatches(rule, port, portPod)) {
						return true;
					}
				}
			}
			return !isolated;
		}

		private boolean peerMatches(Map<String, Object> rule, String key, Peer peer) {
			if (!rule.containsKey(key)) {
				return true;
			}
			for (Map<String, Object> element : Yamls.list(rule, key)) {
				Map<String, Object> block = Yamls.map(element, "ipBlock");
				if (!block.isEmpty()) {
					if (peer.address() != null && inCidr(peer.address(), (String) block.get("cidr"))
							&& Yamls.strings(block, "except").stream().noneMatch((e) -> inCidr(peer.address(), e))) {
						return true;
					}
					continue;
				}
				if (peer.labels() == null) {
					continue;
				}
				boolean namespace;
				if (element.containsKey("namespaceSelector")) {
					Map<String, Object> labels = Map.of("kubernetes.io/metadata.name",
							(peer.namespace() != null) ? peer.namespace() : this.overlay.namespace);
					namespace = matches(Yamls.map(Yamls.map(element, "namespaceSelector"), "matchLabels"), labels);
				}
				else {
					namespace = peer.namespace() == null;
				}
				if (namespace && matches(Yamls.map(Yamls.map(element, "podSelector"), "matchLabels"), peer.labels())) {
					return true;
				}
			}
			return false;
		}

		private static boolean portMatches(Map<String, Object> rule, Object port, Map<String, Object> pod) {
			if (!rule.containsKey("ports")) {
				return true;
			}
			for (Map<String, Object> allowed : Yamls.list(rule, "ports")) {
				Object value = allowed.get("port");
				if (value == null || Objects.equals(value, port)) {
					return true;
				}
				if (value instanceof String named && pod != null) {
					for (Map<String, Object> container : Yamls.list(podSpec(pod), "containers")) {
						if (Objects.equals(containerPorts(container).get(named), port)) {
							return true;
						}
					}
				}
			}
			return false;
		}

		private static boolean inCidr(String address, String cidr) {
			try {
				byte[] a = InetAddress.getByName(address).getAddress();
				byte[] network = InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))).getAddress();
				int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
				if (a.length != network.length) {
					return false;
				}
				for (int i = 0; i < bits; i++) {
					int mask = 0x80 >> (i % 8);
					if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
						return false;
					}
				}
				return true;
			}
			catch (UnknownHostException ex) {
				throw new IllegalArgumentException(ex);
			}
		}

	}

}
