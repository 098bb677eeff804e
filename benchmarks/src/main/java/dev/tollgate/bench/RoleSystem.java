package dev.tollgate.bench;

import dev.tollgate.audit.AuditSinkApplication;
import dev.tollgate.decision.DecisionWorkerApplication;
import dev.tollgate.executor.ExecutorWorkerApplication;
import dev.tollgate.ingress.IngressApplication;
import dev.tollgate.launcher.LoopbackPorts;
import dev.tollgate.launcher.StandaloneKafkaSecurity;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.schemas.KafkaAcls;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code --system roles}: every role in its own JVM, as a deployment runs them: a broker JVM
 * ({@link BrokerMain}, which also creates the topics), then the audit sink (embedded store), the
 * decision worker, the executor and the ingress, each its Spring Boot application with this JVM's
 * classpath, configured by environment variables as the compose file and the compose module's
 * scale tests configure the runnable jars. Each serves {@code /readyz} on a port of its own;
 * {@code --set} settings reach every role as {@code --KEY=VALUE} arguments, as with the launcher.
 */
final class RoleSystem implements SystemUnderTest {

    static final List<String> DEFAULT_JVM = List.of("-Xmx512m");
    static final Pattern BROKER_READY = Pattern.compile("^\\[broker\\] ready at (\\S+)");
    static final Pattern BROKER_FAILED = Pattern.compile(
            "^\\[broker\\] failed|^Exception in thread \"main\"");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    /** A role JVM: its name (as {@code Roles} names it), main class and own settings. */
    record RoleSpec(String name, Class<?> application, Map<String, String> env) {
    }

    private final SystemSetup setup;
    private final ChildJvm broker;
    private final List<ChildJvm> roles;
    private final String bootstrap;
    private final List<Integer> ports;
    private final int ingressPort;

    private RoleSystem(SystemSetup setup, ChildJvm broker, List<ChildJvm> roles,
            String bootstrap, List<Integer> ports) {
        this.setup = setup;
        this.broker = broker;
        this.roles = roles;
        this.bootstrap = bootstrap;
        this.ports = List.copyOf(ports);
        this.ingressPort = ports.get(ports.size() - 1);
    }

    /** The roles in the launcher's start order, with the settings the launcher's run gives them. */
    static List<RoleSpec> roles(SystemSetup setup, String githubUrl) {
        return List.of(
                new RoleSpec("audit-sink", AuditSinkApplication.class, Map.of(
                        "TOLLGATE_AUDIT_STORE", "embedded", "TOLLGATE_AUDIT_EMBEDDED_DIR", setup
                                .dir().resolve("data/audit").toString())),
                new RoleSpec("decision-worker", DecisionWorkerApplication.class, Map.of(
                        "TOLLGATE_POLICY_FILE", setup.policy().toString(),
                        "TOLLGATE_POLICY_WATCH", "false")),
                new RoleSpec("executor-worker", ExecutorWorkerApplication.class, Map.of(
                        "TOLLGATE_GITHUB_APP_ID", "1", "TOLLGATE_GITHUB_PRIVATE_KEY_FILE", setup
                                .appKey().toString(),
                        "TOLLGATE_GITHUB_API_URL", githubUrl)),
                new RoleSpec("ingress", IngressApplication.class, Map.of("TOLLGATE_ADMIN_KEY",
                        setup.adminKey(), "TOLLGATE_INGRESS_STATE_DIR", setup.dir().resolve(
                                "data/ingress").toString(),
                        // one agent drives the whole load: lift the per-agent limits
                        "TOLLGATE_INGRESS_RATE_LIMIT_AGENT_LIMIT_FOR_PERIOD", "1000000",
                        "TOLLGATE_INGRESS_RATE_LIMIT_PROTOCOL_LIMIT_FOR_PERIOD", "1000000",
                        "TOLLGATE_INGRESS_MAX_REQUESTS_IN_FLIGHT_PER_AGENT", "1000000")));
    }

    /** What every role JVM is given: the broker, its own port, its name; topics exist already. */
    static Map<String, String> commonEnv(String name, String bootstrap, int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        // every role serves /readyz (the decision worker only when asked)
        env.put("SPRING_MAIN_WEB_APPLICATION_TYPE", "servlet");
        env.put("TOLLGATE_KAFKA_PROVISION_TOPICS", "false"); // the broker JVM created them
        env.put("TOLLGATE_ROLE", name);
        env.put("SPRING_APPLICATION_NAME", name);
        env.put("TOLLGATE_INSTANCE_ID", name);
        return env;
    }

    static RoleSystem start(String githubUrl, List<String> owners, List<String> extraArgs,
            List<String> jvmOptions, PrintStream progress) throws Exception {
        SystemSetup setup = SystemSetup.create(owners);
        ChildJvm broker = null;
        List<ChildJvm> started = new ArrayList<>();
        try {
            broker = ChildJvm.start("broker", jvmOptions, BrokerMain.class.getName(), List.of(
                    setup.dir().resolve("data/kafka").toString()), Map.of(), setup.log("broker"),
                    progress);
            progress.printf("[bench] broker JVM pid %d, log %s%n", broker.pid(), broker.log());
            String bootstrap = broker.await(BROKER_READY, BROKER_FAILED, START_TIMEOUT).group(1);
            // each role its own principal (the broker JVM created them), as the launcher does
            StandaloneKafkaSecurity security = StandaloneKafkaSecurity.load(setup.dir().resolve(
                    "data"));
            String decisionKey = setup.dir().resolve("data").resolve("decision-signing-key")
                    .toString();
            SecretFiles.readOrGenerate("decision signing key", Path.of(decisionKey));
            // launch every role, then wait for each: the JVMs start side by side
            List<RoleSpec> roles = roles(setup, githubUrl);
            List<Integer> ports = LoopbackPorts.free(roles.size(), Set.of());
            for (int r = 0; r < roles.size(); r++) {
                RoleSpec role = roles.get(r);
                int port = ports.get(r);
                Map<String, String> env = commonEnv(role.name(), bootstrap, port);
                env.put("TOLLGATE_KAFKA_USERNAME", KafkaAcls.userOf(role.name()));
                env.put("TOLLGATE_KAFKA_PASSWORD_FILE", security.passwordFile(role.name())
                        .toString());
                env.put("TOLLGATE_DECISION_SIGNING_KEY_FILE", decisionKey);
                env.put("TOLLGATE_EXECUTOR_DECISION_KEY_FILES", decisionKey);
                env.putAll(role.env());
                ChildJvm child = ChildJvm.start(role.name(), jvmOptions, role.application()
                        .getName(), extraArgs, env, setup.log(role.name()), progress);
                progress.printf("[bench] %s JVM pid %d on port %d, log %s%n", role.name(), child
                        .pid(), port, child.log());
                started.add(child);
            }
            for (int i = 0; i < started.size(); i++) {
                started.get(i).awaitReady(ports.get(i), START_TIMEOUT);
                progress.printf("[bench] %s ready%n", started.get(i).name());
            }
            return new RoleSystem(setup, broker, started, bootstrap, ports);
        } catch (Exception | Error e) {
            ChildJvm.closeAll(started);
            if (broker != null) {
                broker.close();
            }
            setup.delete();
            throw e;
        }
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + ingressPort;
    }

    @Override
    public List<String> metricsUrls() {
        return ports.stream().map(port -> "http://127.0.0.1:" + port + "/actuator/prometheus")
                .toList();
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public Map<String, Object> kafkaClientProperties() {
        return StandaloneKafkaSecurity.load(setup.dir().resolve("data")).clientProperties(
                bootstrap, StandaloneKafkaSecurity.BROKER);
    }

    @Override
    public String adminKey() {
        return setup.adminKey();
    }

    @Override
    public long brokerPid() {
        return broker.pid();
    }

    @Override
    public List<ProcessStats.Measured> processes() {
        List<ProcessStats.Measured> processes = new ArrayList<>();
        processes.add(new ProcessStats.Measured("broker", broker.pid()));
        roles.forEach(role -> processes.add(new ProcessStats.Measured(role.name(), role.pid())));
        return processes;
    }

    @Override
    public String description() {
        return "every role in its own JVM (broker, audit-sink, decision-worker, executor-worker,"
                + " ingress)";
    }

    /** The roles first (SIGTERM to all, each waited for), then the broker. */
    @Override
    public void close() {
        ChildJvm.closeAll(roles);
        broker.close();
        setup.delete();
    }
}
