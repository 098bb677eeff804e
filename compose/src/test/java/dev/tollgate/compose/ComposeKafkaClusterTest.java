package dev.tollgate.compose;

import dev.tollgate.testsupport.KafkaToolScripts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.runtime.KafkaCredentials;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * compose.yaml's Kafka, run for real without Docker: its three brokers are Kafka server processes
 * configured the way the {@code apache/kafka} image configures a container from the service's
 * environment (every {@code KAFKA_*} variable but the JVM's own becomes a server property: the
 * prefix dropped, {@code _} a dot, {@code __} an underscore, {@code ___} a dash, lower case; unset
 * ones take the image's defaults; the storage is formatted with {@code CLUSTER_ID}, then the
 * server starts), with the secret files made by secrets/README.md's own commands. Then the
 * services' health check and the one-shot {@code kafka-setup} run as written, through Kafka's
 * tools, and each role's principal does its job on the client listener.
 *
 * <p>The container world maps onto loopback: a service name ({@code kafka-2}) is 127.0.0.1, each
 * container port of each broker a free port of its own, {@code /run/secrets/NAME} the file the
 * top-level secret names (only if the service lists it, as compose mounts only those),
 * {@code /opt/kafka/bin} scripts running the tools' main classes, a service's named volume a
 * folder of its own.
 */
class ComposeKafkaClusterTest {

    private static final Path COMPOSE_FILE = Path.of("compose.yaml");

    /** The image's JVM settings, which stay environment variables, not server properties. */
    private static final Set<String> NOT_PROPERTIES = Set.of("KAFKA_OPTS", "KAFKA_HEAP_OPTS",
            "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_JMX_OPTS", "KAFKA_JMX_PORT",
            "KAFKA_JMX_HOSTNAME", "KAFKA_GC_LOG_OPTS", "KAFKA_VERSION", "KAFKA_LOG4J_ROOT_LOGLEVEL",
            "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL");

    /** The image's defaults for what a service leaves unset (its configureDefaults). */
    private static final Map<String, String> IMAGE_DEFAULTS = Map.of("CLUSTER_ID",
            "5L6g3nShT-eMCtK--X86sw", "KAFKA_LOG_DIRS", "/tmp/kraft-combined-logs",
            "KAFKA_NODE_ID", "1", "KAFKA_PROCESS_ROLES", "broker,controller");

    private static final Pattern SERVICE_PORT = Pattern.compile("\\b(kafka-\\d+):(\\d+)\\b");
    private static final Pattern OWN_PORT = Pattern.compile("(//|\\blocalhost:)(:?)(\\d{4})\\b");
    private static final Pattern SECRET = Pattern.compile("/run/secrets/([a-z_]+)");

    @TempDir
    Path dir;

    private final Map<String, Integer> ports = new HashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> brokerProcesses = new LinkedHashMap<>();

    @Test
    void theBrokersStartAsConfiguredAndKafkaSetupLeavesEachRoleItsPrincipal() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(Files.readString(COMPOSE_FILE));
        JsonNode services = compose.path("services");
        List<String> brokers = new ArrayList<>();
        services.properties().forEach(e -> {
            if (e.getValue().path("image").asString("").startsWith("apache/kafka:") && e
                    .getValue().path("environment").has("KAFKA_PROCESS_ROLES")) {
                brokers.add(e.getKey());
            }
        });
        assertThat(brokers).containsExactly("kafka-1", "kafka-2", "kafka-3");
        Map<String, Path> secrets = secretsAsTheReadmeMakesThem(compose);
        Path bin = kafkaBin();
        try {
            // the three storages are formatted side by side (each its own folder, log and JVM),
            // and each broker starts once its own is formatted
            List<Formatting> formatting = new ArrayList<>();
            for (String broker : brokers) {
                formatting.add(format(broker, services.path(broker), secrets));
            }
            for (Formatting storage : formatting) {
                start(storage, secrets);
            }
            for (String broker : brokers) {
                awaitHealthy(broker, services.path(broker), secrets, bin);
            }

            runKafkaSetup(services.path("kafka-setup"), secrets, bin);

            checkTheRolesPrincipals(services, secrets);
            checkKedasPrincipal(services, secrets, bin);
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The server properties the image writes from a service's environment. */
    static Map<String, String> imageProperties(Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        IMAGE_DEFAULTS.forEach(env::putIfAbsent);
        Map<String, String> properties = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !NOT_PROPERTIES.contains(name)) {
                properties.put(propertyName(name.substring("KAFKA_".length())), value);
            }
        });
        return properties;
    }

    /** The image's key rule: _ is a dot, __ an underscore, ___ a dash; lower case. */
    static String propertyName(String key) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < key.length()) {
            if (key.charAt(i) != '_') {
                out.append(key.charAt(i++));
                continue;
            }
            int run = 0;
            while (i < key.length() && key.charAt(i) == '_') {
                run++;
                i++;
            }
            out.append(run == 1 ? "." : run == 2 ? "_" : "-");
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    @Test
    void theImagesKeyRuleAsDocumented() {
        assertThat(propertyName("LISTENER_SECURITY_PROTOCOL_MAP")).isEqualTo(
                "listener.security.protocol.map");
        assertThat(propertyName("LISTENER_NAME_CLIENT_SASL__ENABLED___MECHANISMS")).isEqualTo(
                "listener.name.client.sasl_enabled-mechanisms");
        assertThat(imageProperties(Map.of("KAFKA_OPTS", "-Dx=y", "KAFKA_NODE_ID", "2",
                "OTHER", "z"))).containsEntry("node.id", "2").containsEntry("log.dirs",
                        "/tmp/kraft-combined-logs")
                .doesNotContainKey("opts")
                .doesNotContainKey("other");
    }

    private int port(String service, int containerPort) {
        return ports.computeIfAbsent(service + ":" + containerPort, key -> {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A value of service {@code self}'s configuration, as it reads on loopback. */
    private String local(String value, String self, JsonNode service, Map<String, Path> secrets,
            Path bin) {
        Matcher services = SERVICE_PORT.matcher(value);
        String mapped = services.replaceAll(m -> "127.0.0.1:" + port(m.group(1), Integer
                .parseInt(m.group(2))));
        Matcher own = OWN_PORT.matcher(mapped);
        mapped = own.replaceAll(m -> (m.group(1).equals("//") ? "//127.0.0.1:" : "127.0.0.1:")
                + port(self, Integer.parseInt(m.group(3))));
        Matcher secret = SECRET.matcher(mapped);
        mapped = secret.replaceAll(m -> {
            String name = m.group(1);
            assertThat(names(service.path("secrets"))).as("%s reads /run/secrets/%s, so it must"
                    + " list that secret (compose mounts only those)", self, name).contains(name);
            return Matcher.quoteReplacement(secrets.get(name).toString());
        });
        return mapped.replace("/opt/kafka/bin", bin.toString());
    }

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(node -> names.add(node.isString()
                ? node.asString()
                : node.path("source")
                        .asString()));
        return names;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        service.path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue()
                .asString()));
        return env;
    }

    /** secrets/README.md's commands, run by sh as a user would. */
    private Map<String, Path> secretsAsTheReadmeMakesThem(JsonNode compose) throws Exception {
        String output = SecretsReadme.make(dir);
        Map<String, Path> secrets = new HashMap<>();
        compose.path("secrets").properties().forEach(e -> secrets.put(e.getKey(), dir.resolve(
                "compose").resolve(e.getValue().path("file").asString()).normalize()));
        for (String name : List.of("kafka_server_jaas", "kafka_admin_client",
                "kafka_ingress_password", "kafka_decision_worker_password",
                "kafka_executor_worker_password", "kafka_audit_sink_password")) {
            assertThat(secrets.get(name)).as("the README's commands make %s; they printed:%n%s",
                    name, output).isRegularFile();
        }
        return secrets;
    }

    /** A broker whose storage is being formatted, and what starting it takes. */
    private record Formatting(String name, JsonNode service, Map<String, String> env,
            Path config, String clusterId, Process process) {
    }

    /**
     * Writes the broker's server properties and starts formatting its storage, as the image's
     * launch script does first.
     */
    private Formatting format(String name, JsonNode service, Map<String, Path> secrets)
            throws Exception {
        Map<String, String> env = environment(service);
        Map<String, String> properties = imageProperties(env);
        String volume = null;
        for (JsonNode mount : service.path("volumes")) {
            String[] parts = mount.asString().split(":");
            if (parts[0].equals(name)) {
                volume = parts[1];
            }
        }
        assertThat(properties.get("log.dirs")).as("%s keeps its log on its named volume (else"
                + " the image's default %s is inside the container and every record, the audit"
                + " trail's included, is lost when the container is replaced)", name,
                IMAGE_DEFAULTS.get("KAFKA_LOG_DIRS")).isEqualTo(volume);
        Path data = Files.createDirectories(dir.resolve(name).resolve("data"));
        Map<String, String> local = new TreeMap<>();
        properties.forEach((key, value) -> local.put(key, local(value, name, service, secrets,
                dir)));
        local.put("log.dirs", data.toString());
        Path config = dir.resolve(name).resolve("server.properties");
        StringBuilder text = new StringBuilder();
        local.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, text);

        String clusterId = env.getOrDefault("CLUSTER_ID", IMAGE_DEFAULTS.get("CLUSTER_ID"));
        Process format = java(name + "-format", List.of(), "kafka.tools.StorageTool", "format",
                "--cluster-id=" + clusterId, "-c", config.toString());
        processes.add(format);
        return new Formatting(name, service, env, config, clusterId, format);
    }

    /** Once its storage is formatted, starts the broker, as the image's launch script does. */
    private void start(Formatting storage, Map<String, Path> secrets) throws Exception {
        String name = storage.name();
        String clusterId = storage.clusterId();
        String formatOutput = ended(storage.process(), 3, name + "-format");
        assertThat(storage.process().exitValue()).as("%s: kafka-storage.sh format --cluster-id=%s,"
                + " as the image's launch runs it, said:%n%s", name, clusterId, formatOutput)
                .isZero();

        List<String> jvm = new ArrayList<>();
        for (String option : local(storage.env().getOrDefault("KAFKA_OPTS", ""), name, storage
                .service(), secrets, dir).split("\\s+")) {
            if (!option.isBlank()) {
                jvm.add(option);
            }
        }
        jvm.add("-Xmx384m");
        Process broker = java(name, jvm, "kafka.Kafka", storage.config().toString());
        processes.add(broker);
        brokerProcesses.put(name, broker);
    }

    /** The service's health check, run until it passes. */
    private void awaitHealthy(String name, JsonNode service, Map<String, Path> secrets, Path bin)
            throws Exception {
        JsonNode test = service.path("healthcheck").path("test");
        assertThat(test.get(0).asString()).isEqualTo("CMD-SHELL");
        String command = local(test.get(1).asString(), name, service, secrets, bin);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        int attempts = 0;
        while (true) {
            attempts++;
            Process check = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                    .start();
            check.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (check.waitFor(2, TimeUnit.MINUTES) && check.exitValue() == 0) {
                return;
            }
            Process broker = brokerProcesses.get(name);
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(name + "'s health check (" + command + ") did not pass"
                        + " in " + attempts + " attempts; the broker is " + (broker.isAlive()
                                ? "running"
                                : "gone (exit " + broker.exitValue() + ")")
                        + "; its log ends:\n" + tail(dir.resolve(name + ".log")));
            }
            Thread.sleep(1_000);
        }
    }

    private void runKafkaSetup(JsonNode service, Map<String, Path> secrets, Path bin)
            throws Exception {
        List<String> entrypoint = new ArrayList<>();
        service.path("entrypoint").forEach(part -> entrypoint.add(part.asString()));
        assertThat(entrypoint).hasSize(2).first().isEqualTo("/bin/sh");
        Map<String, String> mounts = new HashMap<>();
        for (JsonNode mount : service.path("volumes")) {
            String[] parts = mount.asString().split(":");
            mounts.put(parts[1], COMPOSE_FILE.toAbsolutePath().getParent().resolve(parts[0])
                    .normalize().toString());
        }
        String script = mounts.get(entrypoint.get(1));
        assertThat(script).as("the entrypoint's script is mounted into the container").isNotNull();
        Map<String, String> env = new HashMap<>();
        environment(service).forEach((key, value) -> env.put(key, local(value, "kafka-setup",
                service, secrets, bin)));
        env.put("KAFKA_BIN", bin.toString()); // the image's /opt/kafka/bin
        env.put("TOOLS_CLASSPATH", System.getProperty("java.class.path"));
        String output = run("kafka-setup (" + script + ")", env, "sh", script);
        assertThat(output).contains("Tollgate's Kafka principals, topics and ACLs are in place");
        for (String name : secrets.keySet()) {
            if (name.startsWith("kafka_") && name.endsWith("_password")) {
                assertThat(output).as("kafka-setup prints no password").doesNotContain(Files
                        .readString(secrets.get(name)).strip());
            }
        }
    }

    /** Each role's principal, as its service configures it, on the client listener. */
    private void checkTheRolesPrincipals(JsonNode services, Map<String, Path> secrets)
            throws Exception {
        Map<String, Map<String, Object>> byRole = new TreeMap<>();
        services.properties().forEach(e -> {
            Map<String, String> env = environment(e.getValue());
            if (!env.containsKey("TOLLGATE_KAFKA_USERNAME")) {
                return;
            }
            Map<String, String> local = new HashMap<>();
            env.forEach((key, value) -> local.put(key, local(value, e.getKey(), e.getValue(),
                    secrets, dir)));
            KafkaCredentials.Principal principal = KafkaCredentials.from(setting -> local.get(
                    setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')))
                    .orElseThrow();
            Map<String, Object> client = new HashMap<>(principal.clientProperties(
                    "SASL_PLAINTEXT"));
            client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, local.get(
                    "SPRING_KAFKA_BOOTSTRAP_SERVERS"));
            byRole.put(env.get("TOLLGATE_ROLE"), client);
        });
        assertThat(byRole.keySet()).containsExactlyInAnyOrder(Roles.INGRESS,
                Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER, Roles.AUDIT_SINK);
        for (Map.Entry<String, Map<String, Object>> role : byRole.entrySet()) {
            try (Admin admin = Admin.create(role.getValue())) {
                assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).as(
                        "%s logs in and sees the catalogue", role.getKey()).containsAll(
                                Topics
                                        .all().stream().map(topic -> topic.name()).toList());
            }
        }
        Map<String, Object> ingress = new HashMap<>(byRole.get(Roles.INGRESS));
        ingress.put(ProducerConfig.ACKS_CONFIG, "all");
        ingress.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        ingress.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ingress,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), new byte[]{1})).get(120,
                    TimeUnit.SECONDS);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.DECISIONS.name(),
                    new byte[]{1})).get(120, TimeUnit.SECONDS)).as("the ingress forges no"
                            + " decision")
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(TopicAuthorizationException.class);

            Process third = brokerProcesses.get("kafka-3");
            third.destroy();
            assertThat(third.waitFor(60, TimeUnit.SECONDS)).as("kafka-3 stopped").isTrue();
            producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), new byte[]{2})).get(120,
                    TimeUnit.SECONDS); // acks=all with one broker of three gone: min ISR is 2
        }

        Map<String, Object> guess = new HashMap<>(byRole.get(Roles.INGRESS));
        guess.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"tollgate-ingress\" password=\"guessed\";");
        guess.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        guess.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        try (Admin admin = Admin.create(guess)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(60, TimeUnit.SECONDS)).as(
                    "a guessed password").isInstanceOf(ExecutionException.class).cause()
                    .hasMessageContaining("Authentication failed");
        }
    }

    /**
     * compose/README.md's commands for KEDA's principal (the Kafka ones; the Secret is
     * Kubernetes'), run as written against this cluster; then tollgate-keda reads the workers'
     * lag (their groups' offsets and the topics' end offsets) but neither reads a record nor
     * writes one.
     */
    private void checkKedasPrincipal(JsonNode services, Map<String, Path> secrets, Path bin)
            throws Exception {
        List<String> lines = Files.readAllLines(COMPOSE_FILE.toAbsolutePath().getParent()
                .resolve("README.md"));
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("**KEDA's principal.**")) {
                start = i;
            }
        }
        assertThat(start).as("compose/README.md has KEDA's principal").isNotNegative();
        int open = lines.subList(start, lines.size()).indexOf("```") + start;
        int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
        String block = String.join("\n", lines.subList(open + 1, close)).replace("\\\n", " ");
        StringBuilder script = new StringBuilder("set -eu\n");
        JsonNode setup = services.path("kafka-setup");
        String bootstrap = local(environment(setup).get("BOOTSTRAP"), "kafka-setup", setup,
                secrets, bin);
        for (String line : block.split("\n")) {
            if (line.startsWith("kubectl")) {
                continue; // the Secret: Kubernetes'
            }
            script.append(line.replace("kafka-configs.sh", bin.resolve("kafka-configs.sh")
                    .toString()).replace("kafka-acls.sh", bin.resolve("kafka-acls.sh")
                            .toString())
                    .replace("BROKER", bootstrap).replace(
                            "admin.properties", secrets.get("kafka_admin_client")
                                    .toString()))
                    .append(" > /dev/null\n");
        }
        script.append("printf %s \"$p\"\n");
        String password = run("the README's commands for tollgate-keda", Map.of(
                "TOOLS_CLASSPATH", System.getProperty("java.class.path")), "sh", "-c",
                script
                        .toString())
                .strip();
        password = password.substring(password.lastIndexOf('\n') + 1);
        assertThat(password).hasSize(64);

        Map<String, String> ingress = environment(services.path("ingress-1"));
        Map<String, Object> client = new HashMap<>();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, local(ingress.get(
                "SPRING_KAFKA_BOOTSTRAP_SERVERS"), "ingress-1", services.path("ingress-1"),
                secrets, dir));
        client.put("security.protocol", "SASL_PLAINTEXT");
        client.put("sasl.mechanism", "SCRAM-SHA-512");
        client.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"tollgate-keda\" password=\"" + password + "\";");
        try (Admin admin = Admin.create(client)) {
            for (String group : List.of(dev.tollgate.schemas.KafkaAcls.DECISION_GROUP,
                    dev.tollgate.schemas.KafkaAcls.EXECUTOR_GROUP)) {
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(60,
                        TimeUnit.SECONDS);
            }
            var partition = new org.apache.kafka.common.TopicPartition(Topics.REQUESTS.name(),
                    0);
            assertThat(admin.listOffsets(Map.of(partition,
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get(60,
                            TimeUnit.SECONDS))
                    .containsKey(partition);
        }
        Map<String, Object> reader = new HashMap<>(client);
        reader.put("group.id", dev.tollgate.schemas.KafkaAcls.DECISION_GROUP);
        reader.put("enable.auto.commit", "false");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(reader,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(Topics.REQUESTS
                    .name(), 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThatThrownBy(() -> {
                for (int i = 0; i < 30; i++) {
                    consumer.poll(java.time.Duration.ofSeconds(1));
                }
            }).as("tollgate-keda reads no request").isInstanceOf(
                    org.apache.kafka.common.errors.AuthorizationException.class);
        }
        Map<String, Object> writer = new HashMap<>(client);
        writer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(writer,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.DECISIONS.name(),
                    new byte[]{1})).get(120, TimeUnit.SECONDS)).as("tollgate-keda writes no"
                            + " decision")
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(org.apache.kafka.common.errors.AuthorizationException.class);
        }
    }

    /** Kafka's bin scripts, each running its tool's main class on this JVM's class path. */
    private Path kafkaBin() throws IOException {
        return KafkaToolScripts.write(dir.resolve("bin"), KafkaToolScripts.classPath(),
                "-Dlogback.configurationFile=" + quietLogging());
    }

    private Path quietLogging() throws IOException {
        Path file = dir.resolve("logback.xml");
        if (!Files.exists(file)) {
            Files.writeString(file, "<configuration><appender name=\"out\" class=\""
                    + "ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%d %-5level"
                    + " %logger{30} %msg%n</pattern></encoder></appender><root level=\"WARN\">"
                    + "<appender-ref ref=\"out\"/></root></configuration>");
        }
        return file;
    }

    private Process java(String name, List<String> jvmOptions, String mainClass,
            String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlogback.configurationFile=" + quietLogging());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(
                name + ".log").toFile()).start();
    }

    /** What the process {@link #java started} as {@code name} printed, once it ended. */
    private String ended(Process process, int minutes, String name) throws Exception {
        Path log = dir.resolve(name + ".log");
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not end in " + minutes + " minutes; it"
                    + " printed:\n" + tail(log));
        }
        return tail(log);
    }

    /** Runs {@code command} in the test's folder and returns what it printed; it must succeed. */
    private String run(String what, Map<String, String> env, String... command)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(what + " did not end in 6 minutes; it printed:\n" + output);
        }
        assertThat(process.exitValue()).as("exit code of %s; it printed:%n%s", what, output)
                .isZero();
        return output;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
