package dev.tollgate.launcher;

import dev.tollgate.launcher.web.LauncherWebApplication;
import dev.tollgate.runtime.ReadinessRegistry;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Tollgate in one JVM: an embedded single-node KRaft broker (or an existing cluster), the topics,
 * and every role found on the classpath, each in its own Spring context as it would run in its own
 * process. One HTTP listener (the ingress's, or a health-only one until the ingress is there).
 */
public final class TollgateLauncher implements AutoCloseable {

    private final EmbeddedKafkaServer broker;
    private final GenericApplicationContext parent;
    private final List<ConfigurableApplicationContext> roles;
    private final String bootstrapServers;
    private final int httpPort;

    private TollgateLauncher(EmbeddedKafkaServer broker, GenericApplicationContext parent,
            List<ConfigurableApplicationContext> roles, String bootstrapServers, int httpPort) {
        this.broker = broker;
        this.parent = parent;
        this.roles = roles;
        this.bootstrapServers = bootstrapServers;
        this.httpPort = httpPort;
    }

    /** {@code tollgate run}: starts everything and runs until Ctrl-C or SIGTERM. */
    public static void main(String[] args) {
        System.exit(RunCommand.commandLine(System.getenv(), System.out, System.err).setCommandName(
                "tollgate run").execute(args));
    }

    /** Starts everything; the caller closes it. */
    public static TollgateLauncher start(LauncherOptions options) {
        long started = System.nanoTime();
        // every role's configuration is judged before anything starts: a half-configured one
        // fails here, naming the problem, before a broker or a folder is touched
        List<TollgateRole> found = new ArrayList<>();
        ServiceLoader.load(TollgateRole.class).forEach(found::add);
        found.sort(Comparator.comparingInt(TollgateRole::order));
        Map<TollgateRole, String> missing = missingConfiguration(found, settings(options));
        createPrivately(options.dataDir());
        if (options.fresh()) {
            wipeFresh(options.dataDir());
        }
        EmbeddedKafkaServer broker = null;
        MessageLimits limits = MessageLimits.parse(settings(options).apply(MessageLimits.KEY));
        String bootstrap = options.externalKafka();
        if (bootstrap == null) {
            say("starting the embedded Kafka broker (KRaft) with its data under "
                    + options.dataDir().toAbsolutePath() + (options.fresh() ? " (wiped)" : ""));
            broker = EmbeddedKafkaServer.start(options.dataDir().resolve("kafka"), options
                    .kafkaPort(), options.fresh(), limits);
            bootstrap = broker.bootstrapServers();
            say("Kafka broker up at " + bootstrap + " in " + millisSince(started) + " ms");
        } else {
            say("using the Kafka cluster at " + bootstrap);
        }
        try {
            TopicProvisioner.Report topics = provisionTopics(bootstrap, limits);
            say("topics: " + topics.created().size() + " created, " + topics.existing().size()
                    + " already present (" + Topics.all().size() + " in the catalogue)");

            GenericApplicationContext parent = new GenericApplicationContext();
            parent.registerBean(ReadinessRegistry.class, ReadinessRegistry::new);
            parent.refresh();

            List<ConfigurableApplicationContext> contexts = new ArrayList<>();
            List<String> startedRoles = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            int httpPort = -1;
            Map<String, Object> extra = new LinkedHashMap<>();
            if (missing.keySet().stream().anyMatch(role -> role.name().equals(
                    Roles.EXECUTOR_WORKER))) {
                // try-it mode: no executor will perform what the policy allows; the decision
                // worker answers such calls at once instead of leaving them waiting
                extra.put("tollgate.decision.github-configured", "false");
            }
            for (TollgateRole role : found) {
                if (missing.containsKey(role)) {
                    skipped.add(role.name());
                    say("NOT starting " + role.name() + ": " + missing.get(role));
                    continue;
                }
                ConfigurableApplicationContext context = startRole(role.applicationClass(), role
                        .name(), role.servesHttp(), parent, bootstrap, options, extra);
                contexts.add(context);
                httpPort = role.servesHttp() ? port(context) : httpPort;
                startedRoles.add(role.name());
                say("started " + role.name());
            }
            boolean anyServesHttp = found.stream()
                    .anyMatch(role -> role.servesHttp() && startedRoles.contains(
                            role.name()));
            if (!anyServesHttp) {
                ConfigurableApplicationContext web = startRole(LauncherWebApplication.class,
                        "launcher", true, parent, bootstrap, options, Map.of());
                contexts.add(web);
                httpPort = port(web);
            }
            awaitReady(parent.getBean(ReadinessRegistry.class));
            TollgateLauncher launcher = new TollgateLauncher(broker, parent, contexts, bootstrap,
                    httpPort);
            say("ready in " + millisSince(started) + " ms: http://127.0.0.1:" + httpPort
                    + " (/healthz, /readyz" + (anyServesHttp ? ", /mcp" : "") + "); roles: "
                    + (startedRoles.isEmpty() ? "none" : startedRoles)
                    + (skipped.isEmpty() ? "" : "; not started: " + skipped)
                    + "; Kafka at " + bootstrap + ". Ctrl-C stops it.");
            return launcher;
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    /**
     * Which roles are left out, each with why, before any starts: a role with no configuration at
     * all. A role configured but wrongly (a GitHub App ID with an unreadable key) fails the whole
     * start, naming the role and the problem.
     */
    static Map<TollgateRole, String> missingConfiguration(List<TollgateRole> roles,
            Function<String, String> settings) {
        Map<TollgateRole, String> missing = new LinkedHashMap<>();
        for (TollgateRole role : roles) {
            try {
                role.missingConfiguration(settings).ifPresent(reason -> missing.put(role,
                        reason));
            } catch (RuntimeException e) {
                throw new IllegalStateException(role.name() + " is configured but cannot start: "
                        + e.getMessage(), e);
            }
        }
        return missing;
    }

    private static ConfigurableApplicationContext startRole(Class<?> application, String name,
            boolean web, GenericApplicationContext parent, String bootstrap,
            LauncherOptions options, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>(extra);
        properties.put("tollgate.role", name);
        properties.put("spring.application.name", name);
        properties.put("spring.kafka.bootstrap-servers", bootstrap);
        properties.put("tollgate.kafka.provision-topics", "false"); // the launcher did it
        properties.put("tollgate.data-dir", options.dataDir().toAbsolutePath().toString());
        properties.put("tollgate.audit.embedded.dir", options.dataDir().resolve("audit")
                .toAbsolutePath().toString());
        properties.put("tollgate.ingress.state-dir", options.dataDir().toAbsolutePath()
                .toString());
        return new SpringApplicationBuilder(application).parent(parent)
                .web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE)
                .properties(properties)
                .run(options.roleArgs().toArray(String[]::new));
    }

    /**
     * What a role would read for a key before it starts: a {@code --key=value} argument, a system
     * property, or the environment variable of the same name ({@code tollgate.github.app-id} is
     * {@code TOLLGATE_GITHUB_APP_ID}).
     */
    static Function<String, String> settings(LauncherOptions options) {
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String arg : options.roleArgs()) {
            int equals = arg.indexOf('=');
            arguments.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        return key -> {
            String value = arguments.get(key);
            if (value == null) {
                value = System.getProperty(key);
            }
            if (value == null) {
                value = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_')
                        .replace('-', '_'));
            }
            return value;
        };
    }

    /**
     * Waits until every role's readiness check passes (consumers assigned, registries caught up,
     * policy loaded), so "ready" means /readyz answers 200. After a minute it says which checks
     * still fail and goes on: they are reported by /readyz until they pass.
     */
    private static void awaitReady(ReadinessRegistry readiness) {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
        while (!readiness.ready() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!readiness.ready()) {
            say("not ready after a minute: " + readiness.results().stream().filter(r -> !r
                    .ready()).map(r -> r.name() + " (" + r.detail() + ")").toList());
        }
    }

    /**
     * The data folder holds the broker's log, the audit store and the generated admin and signing
     * keys: created readable by this user only (an existing folder is left as it is).
     */
    static void createPrivately(java.nio.file.Path dir) {
        if (java.nio.file.Files.isDirectory(dir)) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(dir);
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                java.nio.file.Files.setPosixFilePermissions(dir,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create the data folder " + dir
                    .toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code --fresh} wipes besides the broker's log (which the broker wipes itself): the
     * embedded audit store, whose chains belong to the wiped broker's lifetime, and the generated
     * admin and token signing keys (a signing key kept across a wiped broker would make gateway
     * tokens revoked there valid again). Only these entries: the folder may hold anything else.
     */
    static void wipeFresh(java.nio.file.Path dataDir) {
        for (String entry : FRESH_WIPES) {
            try {
                EmbeddedKafkaServer.deleteRecursively(dataDir.resolve(entry));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("--fresh cannot wipe " + dataDir.resolve(
                        entry).toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
        say("--fresh: wiped " + FRESH_WIPES + " in " + dataDir.toAbsolutePath());
    }

    /** The data folder's entries {@code --fresh} wipes, beside the broker's {@code kafka}. */
    static final List<String> FRESH_WIPES = List.of("audit", "admin-key", "token-signing-key");

    private static TopicProvisioner.Report provisionTopics(String bootstrap,
            MessageLimits limits) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
            return new TopicProvisioner(admin, TopicSettings.singleBroker(limits), 60_000).ensure(
                    Topics.all());
        }
    }

    private static int port(ConfigurableApplicationContext context) {
        return context instanceof WebServerApplicationContext web
                ? web.getWebServer().getPort()
                : -1;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void say(String line) {
        System.out.println("[tollgate] " + line);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Stops roles in reverse start order (the HTTP listener first), then the broker. */
    @Override
    public synchronized void close() {
        for (int i = roles.size() - 1; i >= 0; i--) {
            roles.get(i).close();
        }
        roles.clear();
        parent.close();
        if (broker != null) {
            broker.close();
        }
    }
}
