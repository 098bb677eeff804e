package dev.tollgate.launcher;

import dev.tollgate.launcher.web.LauncherWebApplication;
import dev.tollgate.runtime.KafkaCredentials;
import dev.tollgate.runtime.ReadinessRegistry;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.schemas.KafkaAcls;
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
    private final StandaloneKafkaSecurity security;
    private final GenericApplicationContext parent;
    private final List<ConfigurableApplicationContext> roles;
    private final String bootstrapServers;
    private final int httpPort;

    private TollgateLauncher(EmbeddedKafkaServer broker, StandaloneKafkaSecurity security,
            GenericApplicationContext parent, List<ConfigurableApplicationContext> roles,
            String bootstrapServers, int httpPort) {
        this.broker = broker;
        this.security = security;
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
        prepareDataFolder(options.dataDir()).ifPresent(TollgateLauncher::say);
        if (options.fresh()) {
            wipeFresh(options.dataDir());
        }
        Function<String, String> settings = settings(options);
        EmbeddedKafkaServer broker = null;
        MessageLimits limits = MessageLimits.parse(settings.apply(MessageLimits.KEY));
        StandaloneKafkaSecurity security = null;
        String bootstrap = options.externalKafka();
        Map<String, Object> admin;
        if (bootstrap == null) {
            refuseOwnCredentials(settings);
            security = StandaloneKafkaSecurity.load(options.dataDir());
            say("starting the embedded Kafka broker (KRaft, SASL only) with its data under "
                    + options.dataDir().toAbsolutePath() + (options.fresh() ? " (wiped)" : ""));
            broker = EmbeddedKafkaServer.start(options.dataDir().resolve("kafka"), options
                    .kafkaPort(), options.fresh(), security.brokerPassword(), limits);
            bootstrap = broker.bootstrapServers();
            admin = broker.superUserClientProperties();
            say("Kafka broker up at " + bootstrap + " in " + millisSince(started) + " ms");
        } else {
            say("using the Kafka cluster at " + bootstrap);
            admin = externalAdminProperties(bootstrap, settings);
        }
        try {
            TopicProvisioner.Report topics = provisionTopics(admin, limits);
            say("topics: " + topics.created().size() + " created, " + topics.existing().size()
                    + " already present (" + Topics.all().size() + " in the catalogue)");
            if (security != null) {
                try (Admin client = Admin.create(admin)) {
                    int removed = security.apply(client);
                    security.awaitAuthentication(bootstrap);
                    say("Kafka principals: one per role (SASL/SCRAM-SHA-512, passwords in "
                            + options.dataDir().resolve(StandaloneKafkaSecurity.DIR)
                                    .toAbsolutePath()
                            + "), " + KafkaAcls.bindings(KafkaAcls.STANDALONE_ROLES).size()
                            + " ACLs" + (removed > 0 ? " (" + removed + " stale removed)" : ""));
                }
            }
            DecisionKeys decisionKeys = DecisionKeys.of(options.dataDir(), settings);

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
                Map<String, Object> properties = new LinkedHashMap<>(role.defaultProperties());
                properties.putAll(extra);
                ConfigurableApplicationContext context = startRole(role.applicationClass(), role
                        .name(), role.servesHttp(), parent, bootstrap, options, security,
                        decisionKeys, properties);
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
                        Roles.LAUNCHER, true, parent, bootstrap, options, security,
                        decisionKeys, Map.of());
                contexts.add(web);
                httpPort = port(web);
            }
            awaitReady(parent.getBean(ReadinessRegistry.class));
            TollgateLauncher launcher = new TollgateLauncher(broker, security, parent, contexts,
                    bootstrap, httpPort);
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
            LauncherOptions options, StandaloneKafkaSecurity security,
            DecisionKeys decisionKeys, Map<String, Object> extra) {
        Map<String, Object> properties = new LinkedHashMap<>(extra);
        properties.put("tollgate.role", name);
        properties.put("spring.application.name", name);
        properties.put("spring.kafka.bootstrap-servers", bootstrap);
        if (security != null) { // the embedded broker: this role's own principal
            properties.put(KafkaCredentials.USERNAME, KafkaAcls.userOf(name));
            properties.put(KafkaCredentials.PASSWORD_FILE, security.passwordFile(name)
                    .toString());
        }
        properties.put(DecisionKeys.SIGNING_KEY_FILE, decisionKeys.signingKeyFile().toString());
        properties.put(DecisionKeys.VERIFICATION_KEY_FILES, decisionKeys.verificationKeyFiles());
        properties.put("tollgate.kafka.provision-topics", "false"); // the launcher did it
        properties.put("tollgate.data-dir", options.dataDir().toAbsolutePath().toString());
        properties.put("tollgate.audit.embedded.dir", options.dataDir().resolve("audit")
                .toAbsolutePath().toString());
        properties.put("tollgate.audit.checkpoints.file", options.dataDir().resolve(
                AUDIT_CHECKPOINTS).toAbsolutePath().toString());
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
     * The data folder holds the broker's log, the audit store, the generated admin, token and
     * decision signing keys and the Kafka passwords: created readable by this user only, and an
     * existing one that its group or others can enter (one {@code bench} or {@code audit}
     * created before this fix, or by hand) tightened to 0700; one another user owns is refused.
     *
     * @return the line saying what was tightened, if anything was
     */
    static java.util.Optional<String> prepareDataFolder(java.nio.file.Path dir) {
        return dev.tollgate.runtime.security.PrivateFolders.createOrTighten("the data folder",
                dir);
    }

    /**
     * What {@code --fresh} wipes besides the broker's log (which the broker wipes itself): the
     * embedded audit store and its signed checkpoints, whose chains belong to the wiped broker's
     * lifetime, and the generated
     * admin and token signing keys (a signing key kept across a wiped broker would make gateway
     * tokens revoked there valid again), the generated Kafka passwords and the generated decision
     * signing key (both new with the new broker). Only these entries: the folder may hold anything
     * else.
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

    /** The audit sink's signed checkpoints (when a checkpoint key is configured). */
    public static final String AUDIT_CHECKPOINTS = "audit-checkpoints.jsonl";

    /** The data folder's entries {@code --fresh} wipes, beside the broker's {@code kafka}. */
    static final List<String> FRESH_WIPES = List.of("audit", AUDIT_CHECKPOINTS, "admin-key",
            "token-signing-key",
            StandaloneKafkaSecurity.DIR, DecisionKeys.GENERATED);

    private static TopicProvisioner.Report provisionTopics(Map<String, Object> adminConfig,
            MessageLimits limits) {
        try (Admin admin = Admin.create(adminConfig)) {
            return new TopicProvisioner(admin, TopicSettings.singleBroker(limits), 60_000).ensure(
                    Topics.all());
        }
    }

    /**
     * The embedded broker gives every role a principal of its own: a user name or password passed
     * to the roles would replace theirs, so it is refused rather than half applied.
     */
    private static void refuseOwnCredentials(Function<String, String> settings) {
        for (String key : List.of(KafkaCredentials.USERNAME, KafkaCredentials.PASSWORD,
                KafkaCredentials.PASSWORD_FILE, "spring.kafka.properties.sasl.jaas.config")) {
            if (settings.apply(key) != null) {
                throw new IllegalArgumentException(key + " is for a cluster of your own"
                        + " (--kafka HOST:PORT): the embedded broker generates each role's"
                        + " principal in the data folder. Remove it, or add --kafka");
            }
        }
    }

    /**
     * The launcher's admin client for a cluster of the operator's (topics): the principal the
     * roles are given, if any; without one, a warning naming what a secured cluster needs.
     */
    static Map<String, Object> externalAdminProperties(String bootstrap,
            Function<String, String> settings) {
        Map<String, Object> admin = new LinkedHashMap<>();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String protocol = java.util.Optional.ofNullable(settings.apply(
                "spring.kafka.security.protocol")).orElse(settings.apply(
                        "spring.kafka.properties.security.protocol"));
        java.util.Optional<KafkaCredentials.Principal> principal = KafkaCredentials.from(
                settings);
        if (principal.isPresent()) {
            admin.putAll(principal.get().clientProperties(protocol != null
                    ? protocol
                    : "SASL_PLAINTEXT"));
            say("every role authenticates to it as " + principal.get().username() + " ("
                    + principal.get().mechanism() + "), which needs: " + KafkaAcls.describe(
                            KafkaAcls.STANDALONE_ROLES));
        } else if (protocol == null && settings.apply(
                "spring.kafka.properties.sasl.jaas.config") == null) {
            say("WARNING: no Kafka credentials for " + bootstrap + ". On a cluster without"
                    + " authentication any process that reaches it reads every answer. Give the"
                    + " roles a principal: --tollgate.kafka.username=NAME with"
                    + " TOLLGATE_KAFKA_PASSWORD_FILE=FILE (SASL/SCRAM-SHA-512 by default;"
                    + " --spring.kafka.security.protocol=SASL_SSL for TLS), or spring.kafka.*"
                    + " settings of your own. It needs: " + KafkaAcls.describe(
                            KafkaAcls.STANDALONE_ROLES));
        } else if (protocol != null) {
            admin.put("security.protocol", protocol);
        }
        return admin;
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

    /**
     * Client settings (bootstrap servers and SASL) authenticating to the embedded broker as
     * {@code role}'s principal, or as the broker's own (a super user) for {@code "broker"}: for
     * tests and operators' tools in this JVM. They hold a password.
     *
     * @throws IllegalStateException with an external cluster, whose principals are the operator's
     */
    public Map<String, Object> kafkaClientProperties(String role) {
        if (security == null) {
            throw new IllegalStateException("the Kafka cluster is not the embedded broker");
        }
        return security.clientProperties(bootstrapServers, role);
    }

    public int httpPort() {
        return httpPort;
    }

    /** The running context of the role named {@code name}, if it started: for tests. */
    java.util.Optional<ConfigurableApplicationContext> roleContext(String name) {
        return roles.stream().filter(context -> name.equals(context.getEnvironment()
                .getProperty("tollgate.role"))).findFirst();
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
