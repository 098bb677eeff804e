package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.KafkaAcls;
import dev.tollgate.schemas.KafkaSetupScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * compose.yaml, checked without a Docker engine: every role service sets only keys its role
 * reads and every key it requires, its secrets and files exist, and the topology is the one the
 * README promises.
 */
class ComposeFileTest {

    private static final Path DIR = RoleSettings.repository().resolve("compose");
    private static final JsonNode COMPOSE = YAMLMapper.builder().build().readTree(DIR.resolve(
            "compose.yaml").toFile());

    @Test
    void everyRoleServiceSetsOnlyKeysItsRoleReadsAndEveryRequiredOne() {
        Map<String, List<String>> problems = new LinkedHashMap<>();

        for (Map.Entry<String, JsonNode> service : roleServices().entrySet()) {
            String role = service.getValue().path("labels").path("dev.tollgate.role").asString();
            RoleSettings settings = RoleSettings.of(role);
            Set<String> env = envNames(service.getValue());
            List<String> found = new ArrayList<>();
            settings.unknown(env).forEach(name -> found.add("unknown " + name));
            settings.missingRequired(env).forEach(name -> found.add("missing " + name));
            if (!found.isEmpty()) {
                problems.put(service.getKey(), found);
            }
        }

        assertThat(problems).as("environment not matching what each role reads").isEmpty();
        assertThat(roleServices()).hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void aMisspelledKeyIsReportedAsUnknown() {
        RoleSettings executor = RoleSettings.of("executor-worker");

        List<String> unknown = executor.unknown(List.of("TOLLGATE_EXECUTOR_CONSUMERZ",
                "TOLLGATE_POLICY_FILE", "TOLLGATE_EXECUTOR_CONSUMERS",
                "SPRING_KAFKA_PRODUCER_PROPERTIES_LINGER_MS"));
        List<String> missing = executor.missingRequired(Set.of("TOLLGATE_GITHUB_APP_ID"));

        assertThat(unknown).containsExactly("TOLLGATE_EXECUTOR_CONSUMERZ",
                "TOLLGATE_POLICY_FILE");
        assertThat(missing).containsExactly("TOLLGATE_GITHUB_PRIVATE_KEY_FILE",
                "TOLLGATE_EXECUTOR_DECISION_KEY_FILES");
    }

    @Test
    void threeKraftBrokersFormOneQuorumWithReplicatedInternalTopics() {
        JsonNode services = COMPOSE.path("services");
        List<String> brokers = new ArrayList<>();
        services.properties().forEach(e -> {
            if (e.getValue().path("image").asString("").startsWith("apache/kafka:") && e
                    .getValue().path("environment").has("KAFKA_NODE_ID")) {
                brokers.add(e.getKey()); // kafka-setup runs the same image's tools, no broker
            }
        });

        assertThat(brokers).containsExactly("kafka-1", "kafka-2", "kafka-3");
        Set<String> nodeIds = new LinkedHashSet<>();
        for (String broker : brokers) {
            JsonNode env = services.path(broker).path("environment");
            nodeIds.add(env.path("KAFKA_NODE_ID").asString());
            assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asString()).isEqualTo(
                    "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
            assertThat(env.path("KAFKA_PROCESS_ROLES").asString()).contains("controller");
            assertThat(env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asString())
                    .isEqualTo("3");
            assertThat(env.path("KAFKA_ADD_PARTITIONS_TO_TXN_RETRY_BACKOFF_MS").asString())
                    .as("the decision worker's back-to-back transactions").isEqualTo("1");
            assertThat(env.path("CLUSTER_ID").asString()).isEqualTo(services.path("kafka-1")
                    .path("environment").path("CLUSTER_ID").asString());
        }
        assertThat(nodeIds).containsExactly("1", "2", "3");
        for (JsonNode service : roleServices().values()) {
            assertThat(service.path("environment").path("SPRING_KAFKA_BOOTSTRAP_SERVERS")
                    .asString()).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
            assertThat(service.path("environment").path("TOLLGATE_KAFKA_REPLICATION_FACTOR")
                    .asString()).isEqualTo("3");
        }
    }

    @Test
    void everyRoleHasReplicasAReadinessCheckAndAnImageBuiltFromItsJar() throws Exception {
        Map<String, Integer> replicas = new LinkedHashMap<>();

        roleServices().forEach((name, service) -> {
            String role = service.path("labels").path("dev.tollgate.role").asString();
            replicas.merge(role, service.path("deploy").path("replicas").asInt(1),
                    Integer::sum);
            assertThat(service.path("healthcheck").path("test").toString()).as(name).contains(
                    "/readyz");
            assertThat(service.path("build").path("args").path("ROLE").asString()).as(name)
                    .isEqualTo(role);
            assertThat(service.path("environment").path("SERVER_ADDRESS").asString()).as(name)
                    .isEqualTo("0.0.0.0");
        });

        assertThat(COMPOSE.at("/services/decision-worker/environment/"
                + "SPRING_MAIN_WEB_APPLICATION_TYPE").asString()).as(
                        "the decision worker serves /readyz only when asked")
                .isEqualTo("servlet");
        assertThat(replicas).containsEntry("ingress", 2).containsEntry("audit-sink", 1);
        assertThat(replicas.get("decision-worker")).isGreaterThanOrEqualTo(2);
        assertThat(replicas.get("executor-worker")).isGreaterThanOrEqualTo(2);
        assertThat(Files.readString(DIR.resolve("Dockerfile"),
                java.nio.charset.StandardCharsets.UTF_8))
                .contains("${ROLE}/target/tollgate-${ROLE}-0.1.0-SNAPSHOT-exec.jar")
                .as("the heap starts at its maximum, not at 1/64 of the container's memory")
                .contains("\"-XX:MaxRAMPercentage=50\", \"-XX:InitialRAMPercentage=50\"");
    }

    @Test
    void bothIngressSitBehindOneProxyPortOnDistinctReplyPartitions() throws Exception {
        JsonNode proxy = COMPOSE.path("services").path("ingress-proxy");
        String nginx = Files.readString(DIR.resolve("nginx/nginx.conf"));

        assertThat(proxy.path("ports").toString()).contains("8080:8080");
        assertThat(nginx).contains("server ingress-1:8080", "server ingress-2:8080",
                "proxy_buffering off");
        assertThat(proxy.path("volumes").toString()).contains("./nginx/nginx.conf");
        assertThat(Set.of(COMPOSE.path("services").path("ingress-1").path("environment").path(
                "TOLLGATE_INGRESS_REPLY_PARTITION").asString(), COMPOSE.path("services")
                        .path(
                                "ingress-2")
                        .path("environment").path("TOLLGATE_INGRESS_REPLY_PARTITION")
                        .asString()))
                .hasSize(2);
    }

    /**
     * Docker sends SIGKILL a service's stop_grace_period after SIGTERM (10 s unless set). Each
     * ingress drains first (the calls in flight end, within reply-timeout; open connections are
     * served until the drain-grace has passed: the longer of the two), then stops its web server
     * and Kafka clients: its grace allows both durations added, and a margin. Every other role
     * stops within its 30 s shutdown phase.
     */
    @Test
    void everyRoleHasTheTimeToShutDownGracefully() {
        JsonNode services = COMPOSE.path("services");
        for (String ingress : List.of("ingress-1", "ingress-2")) {
            JsonNode environment = services.path(ingress).path("environment");
            String replyTimeout = environment.path("TOLLGATE_INGRESS_REPLY_TIMEOUT").asString(null);
            String drainGrace = environment.path("TOLLGATE_INGRESS_DRAIN_GRACE").asString();
            IngressDrain drain = IngressDrain.of(replyTimeout, drainGrace);
            String grace = services.path(ingress).path("stop_grace_period").asString();
            assertThat(IngressDrain.seconds(grace))
                    .as("%s: longest call %d s + drain-grace %d s, and a margin", ingress,
                            drain.longestCall(), drain.drainGrace())
                    .isGreaterThanOrEqualTo(drain.longestCall() + drain.drainGrace() + 5);
        }
        for (String role : List.of("decision-worker", "executor-worker", "audit-sink")) {
            String grace = services.path(role).path("stop_grace_period").asString();
            assertThat(IngressDrain.seconds(grace))
                    .as("%s: its 30 s shutdown phase, and a margin", role)
                    .isGreaterThanOrEqualTo(35);
        }
    }

    /**
     * Every Tollgate container runs as the Kubernetes manifests run it: a read-only root file
     * system with only /tmp writable, no Linux capability, and no privilege gained through exec
     * (the image's user is non-root). A process that took over a role can change neither its
     * image nor its user.
     */
    @Test
    void everyTollgateContainerIsReadOnlyWithoutCapabilitiesOrNewPrivileges() throws Exception {
        Map<String, JsonNode> containers = new LinkedHashMap<>(roleServices());
        containers.put("audit-migrate", COMPOSE.path("services").path("audit-migrate"));
        containers.put("audit-verify", COMPOSE.path("services").path("audit-verify"));
        COMPOSE.path("services").properties().forEach(e -> {
            if (e.getValue().path("image").asString("").startsWith("tollgate/")) {
                assertThat(containers).as("a Tollgate image").containsKey(e.getKey());
            }
        });

        containers.forEach((name, service) -> {
            assertThat(service.path("read_only").asBoolean(false)).as("%s read_only", name)
                    .isTrue();
            assertThat(service.path("tmpfs").toString()).as("%s tmpfs", name).contains(
                    "\"/tmp\"");
            assertThat(service.path("cap_drop").toString()).as("%s cap_drop", name).contains(
                    "\"ALL\"");
            assertThat(service.path("cap_add").isMissingNode()).as("%s cap_add", name).isTrue();
            assertThat(service.path("security_opt").toString()).as("%s security_opt", name)
                    .contains("no-new-privileges:true");
            assertThat(service.path("privileged").asBoolean(false)).as(name).isFalse();
            assertThat(service.path("user").asString("")).as("%s user", name).isEmpty();
            service.path("environment").properties().forEach(env -> {
                if (env.getKey().endsWith("_DIR")) {
                    assertThat(env.getValue().asString()).as("%s %s on the writable /tmp", name,
                            env.getKey()).startsWith("/tmp/");
                }
            });
        });
        assertThat(Files.readString(DIR.resolve("Dockerfile"), StandardCharsets.UTF_8)).as(
                "the image's user").containsPattern("(?m)^USER 10001$");
    }

    /**
     * Capabilities a service adds back after dropping them all, each with the reason it needs
     * it. Empty: every container, ours and the third-party images alike, runs with none (the
     * proxy and PostgreSQL as their images' own non-root users, which need none; the brokers
     * already run as the Kafka image's appuser). A service that adds one fails the test below
     * until it is listed here, and compose/README.md ("Third-party containers") says why.
     */
    private static final Map<String, Set<String>> ADDED_CAPABILITIES = Map.of();

    /**
     * Services whose root file system stays writable, each because its image writes where a
     * tmpfs would hide what it ships: the Kafka image's start script requires a writable
     * /opt/kafka/config (server.properties is generated there, the image's log4j files copied
     * in) and Kafka's scripts log under /opt/kafka/logs (compose.yaml's comments, README).
     */
    private static final Set<String> WRITABLE_ROOT = Set.of("kafka-1", "kafka-2", "kafka-3",
            "kafka-setup");

    /**
     * Every service, the third-party images (Kafka, PostgreSQL, nginx) as well as ours, drops
     * every Linux capability, adds back only what {@link #ADDED_CAPABILITIES} lists, gains no
     * privilege through exec (no-new-privileges: a setuid binary runs as its caller), is not
     * privileged and not root; and runs on a read-only root file system unless
     * {@link #WRITABLE_ROOT} says why not. A process that took over the proxy or the database
     * can then neither load a module, trace another process, change file ownership nor become
     * root through a setuid program.
     */
    @Test
    void everyServiceDropsEveryCapabilityAndGainsNoPrivilege() {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        Set<String> services = new LinkedHashSet<>();

        COMPOSE.path("services").properties().forEach(e -> {
            String name = e.getKey();
            JsonNode service = e.getValue();
            services.add(name);
            List<String> found = new ArrayList<>();
            Set<String> added = new LinkedHashSet<>();
            service.path("cap_add").forEach(c -> added.add(c.asString()));
            if (!service.path("cap_drop").toString().contains("\"ALL\"")) {
                found.add("does not drop ALL capabilities");
            }
            if (!added.equals(ADDED_CAPABILITIES.getOrDefault(name, Set.of()))) {
                found.add("adds " + added + ", the allow-list has " + ADDED_CAPABILITIES
                        .getOrDefault(name, Set.of()));
            }
            if (!service.path("security_opt").toString().contains("no-new-privileges:true")) {
                found.add("lacks no-new-privileges:true");
            }
            if (service.path("privileged").asBoolean(false)) {
                found.add("is privileged");
            }
            String user = service.path("user").asString("");
            if (user.equals("root") || user.equals("0") || user.startsWith("0:") || user
                    .startsWith("root:")) {
                found.add("runs as root");
            }
            if (service.path("read_only").asBoolean(false) == WRITABLE_ROOT.contains(name)) {
                found.add(WRITABLE_ROOT.contains(name)
                        ? "is read_only: take it off WRITABLE_ROOT"
                        : "has a writable root file system");
            }
            if (!found.isEmpty()) {
                problems.put(name, found);
            }
        });

        assertThat(services).as("the third-party services are checked too").contains("kafka-1",
                "kafka-setup", "postgres", "ingress-proxy");
        assertThat(services).containsAll(ADDED_CAPABILITIES.keySet()).containsAll(WRITABLE_ROOT);
        assertThat(problems).as("services not hardened as compose/README.md says").isEmpty();
    }

    /**
     * nginx and PostgreSQL run as their images' own users rather than as root (which is what
     * would need CHOWN, SETUID, SETGID and more), with a tmpfs wherever they write outside
     * their volumes: nginx its temporary folders and pid file (the image's compiled-in
     * /var/cache/nginx and /var/run/nginx.pid), PostgreSQL its socket and lock file.
     */
    @Test
    void theProxyAndTheDatabaseRunAsTheirImagesUsersWithTmpfsWhereTheyWrite() {
        JsonNode proxy = COMPOSE.path("services").path("ingress-proxy");
        JsonNode postgres = COMPOSE.path("services").path("postgres");

        assertThat(proxy.path("user").asString()).as("the nginx image's nginx user").isEqualTo(
                "101:101");
        assertThat(proxy.path("tmpfs").toString()).contains("\"/var/cache/nginx\"",
                "\"/var/run\"");
        assertThat(proxy.path("ports").toString()).as("above 1023: no NET_BIND_SERVICE")
                .contains(":8080\"");
        assertThat(postgres.path("user").asString()).isEqualTo("postgres");
        assertThat(postgres.path("tmpfs").toString()).contains("\"/var/run/postgresql\"");
        assertThat(postgres.path("volumes").toString()).contains(":/var/lib/postgresql/data");
    }

    /**
     * The audit sink signs checkpoints of every chain's head, so deleting the newest records is
     * detected: with a key only it mounts (not audit-migrate, the store's owner), into a named
     * volume that outlives the container (not /tmp), whose folder the image makes the role's
     * user's; audit-verify checks them against the public key, reading them read-only. The
     * README's commands make a key pair the sink loads and the verifier accepts.
     */
    @Test
    void theAuditSinkSignsCheckpointsThatAuditVerifyChecks(
            @org.junit.jupiter.api.io.TempDir Path root)
            throws Exception {
        JsonNode services = COMPOSE.path("services");
        JsonNode sink = services.path("audit-sink");
        JsonNode verify = services.path("audit-verify");
        String key = sink.at("/environment/TOLLGATE_AUDIT_CHECKPOINTS_KEY_FILE").asString("");
        String file = sink.at("/environment/TOLLGATE_AUDIT_CHECKPOINTS_FILE").asString("");
        assertThat(key).as("audit-sink's TOLLGATE_AUDIT_CHECKPOINTS_KEY_FILE, a secret").startsWith(
                "/run/secrets/");
        assertThat(file).as("audit-sink's TOLLGATE_AUDIT_CHECKPOINTS_FILE").contains("/");
        assertThat(verify.isMissingNode()).as("an audit-verify service").isFalse();
        String folder = file.substring(0, file.lastIndexOf('/'));
        String secret = key.substring("/run/secrets/".length());
        List<String> command = new ArrayList<>();
        verify.path("command").forEach(c -> command.add(c.asString()));
        String publicKey = command.get(command.indexOf("--public-key") + 1);

        services.properties().forEach(e -> assertThat(secretsOf(e.getValue()).contains(secret))
                .as("%s mounts the checkpoint key", e.getKey()).isEqualTo(e.getKey().equals(
                        "audit-sink")));
        String volume = sink.path("volumes").valueStream().map(JsonNode::asString).filter(v -> v
                .endsWith(":" + folder)).findFirst().orElseThrow(() -> new AssertionError(
                        "audit-sink mounts no volume at " + folder));
        assertThat(COMPOSE.path("volumes").has(volume.substring(0, volume.indexOf(':')))).as(
                "%s is a named volume", volume).isTrue();
        assertThat(folder).doesNotStartWith("/tmp");
        assertThat(Files.readString(DIR.resolve("Dockerfile"), StandardCharsets.UTF_8)).as(
                "the image makes the folder the role's user's, which a new volume takes")
                .contains("mkdir -p " + folder, "chown -R 10001 /var/lib/tollgate",
                        "chmod -R 700 /var/lib/tollgate");
        assertThat(command).startsWith("verify").containsSubsequence("--checkpoints", file)
                .containsSubsequence("--jdbc-url", sink.at(
                        "/environment/TOLLGATE_AUDIT_POSTGRES_URL").asString());
        assertThat(verify.path("volumes").toString()).contains(volume + ":ro");
        assertThat(verify.path("profiles").toString()).as("not started by up").contains(
                "verify");
        assertThat(Files.readString(DIR.resolve("README.md"))).contains(
                "docker compose -f compose/compose.yaml run --rm audit-verify");

        SecretsReadme.make(root);
        String keyFile = COMPOSE.at("/secrets/" + secret + "/file").asString();
        String publicFile = verify.path("volumes").valueStream().map(JsonNode::asString).filter(
                v -> v.contains(":" + publicKey + ":")).map(v -> v.substring(0, v.indexOf(':')))
                .findFirst().orElseThrow(() -> new AssertionError("audit-verify mounts no "
                        + publicKey));
        var privateKey = dev.tollgate.audit.checkpoints.CheckpointKeys.privateKey(root.resolve(
                "compose").resolve(keyFile));
        var checkpoint = dev.tollgate.audit.core.Checkpoint.sign(java.time.Instant.now(), List
                .of(new dev.tollgate.audit.core.ChainHead("gateway.requests-0", 1, "00".repeat(
                        32))),
                privateKey);
        assertThat(checkpoint.verifies(dev.tollgate.audit.checkpoints.CheckpointKeys.publicKey(
                root.resolve("compose").resolve(publicFile)))).as(
                        "the README's public key verifies what its private key signs")
                .isTrue();
    }

    /**
     * Without a memory limit the JVM would size its heap from the host's memory (the image asks
     * for half of the limit, from the start); with one, what is left beside the heap must hold what
     * is not heap, or the container is killed once the heap grows.
     */
    @Test
    void everyJvmHasAMemoryLimitThatLeavesRoomBesideItsHeap() {
        Map<String, JsonNode> jvms = new LinkedHashMap<>(roleServices());
        jvms.put("audit-migrate", COMPOSE.path("services").path("audit-migrate"));
        jvms.put("audit-verify", COMPOSE.path("services").path("audit-verify"));
        assertThat(jvms).containsKeys("ingress-1", "ingress-2", "decision-worker",
                "executor-worker", "audit-sink");

        jvms.forEach((name, service) -> HeapRoom.assertRoom(name, service.at(
                "/deploy/resources/limits/memory").asString(""), HeapRoom::composeMib, service
                        .path("entrypoint")));
    }

    @Test
    void theIngressBelievesOnlyItsProxyToNameTheClient() throws Exception {
        JsonNode services = COMPOSE.path("services");
        String proxyAddress = services.path("ingress-proxy").path("networks").path("default")
                .path("ipv4_address").asString();
        String subnet = COMPOSE.path("networks").path("default").path("ipam").path("config")
                .get(0).path("subnet").asString();

        assertThat(proxyAddress).as("ingress-proxy has a fixed address").isNotBlank();
        assertThat(subnet).as("in the network's fixed subnet").isEqualTo("172.30.0.0/24");
        assertThat(proxyAddress).startsWith("172.30.0.");
        for (String ingress : List.of("ingress-1", "ingress-2")) {
            assertThat(services.path(ingress).path("environment").path(
                    "TOLLGATE_INGRESS_TRUSTED_PROXIES").asString()).as(ingress).isEqualTo(
                            proxyAddress);
        }
        assertThat(Files.readString(DIR.resolve("nginx/nginx.conf"))).as("nginx adds the client"
                + " last to X-Forwarded-For").contains(
                        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
    }

    /**
     * Docker hands out dynamic addresses from the network's ip_range (the whole subnet without
     * one), in the order containers start: sixteen start before ingress-proxy, so without a
     * range that leaves 172.30.0.10 out, a role container takes it and the proxy cannot start
     * (or that container becomes the "trusted proxy"). Every fixed address, and the gateway, must
     * lie in the subnet but outside the range.
     */
    @Test
    void theFixedAddressesLieOutsideTheRangeDockerHandsOut() {
        JsonNode config = COMPOSE.path("networks").path("default").path("ipam").path("config")
                .get(0);
        String subnet = config.path("subnet").asString();
        String range = config.path("ip_range").asString("");
        String gateway = config.path("gateway").asString("");
        List<String> fixed = new ArrayList<>();
        COMPOSE.path("services").properties().forEach(s -> s.getValue().path("networks")
                .properties().forEach(n -> {
                    String address = n.getValue().path("ipv4_address").asString("");
                    if (!address.isEmpty()) {
                        fixed.add(address);
                    }
                }));

        assertThat(range).as("networks.default.ipam.config[0].ip_range").isNotEmpty();
        assertThat(inside(range.substring(0, range.indexOf('/')), subnet)).as(range).isTrue();
        assertThat(fixed).as("services with a fixed address").isNotEmpty();
        for (String address : fixed) {
            assertThat(inside(address, subnet)).as("%s in %s", address, subnet).isTrue();
            assertThat(inside(address, range)).as("%s outside %s", address, range).isFalse();
            assertThat(address).isNotEqualTo(gateway);
        }
        assertThat(gateway).as("the gateway, named").isNotEmpty();
        assertThat(inside(gateway, subnet)).isTrue();
        assertThat(inside(gateway, range)).as("the gateway outside %s", range).isFalse();
    }

    /**
     * nginx runs out of connections after the ingress's own stream bound, never before: each
     * open event stream holds two of nginx's connections (the agent's and the replica's), so
     * worker_processes x worker_connections must be at least 4 x TOLLGATE_INGRESS_STREAMS_MAX x
     * the ingress replicas (twice the streams' need, for calls and idle agents beside them), and
     * nginx may open as many files.
     */
    @Test
    void nginxHoldsMoreConnectionsThanTheIngressHoldsStreams() throws Exception {
        String nginx = Files.readString(DIR.resolve("nginx/nginx.conf"));
        int workers = nginxNumber(nginx, "worker_processes");
        int connections = nginxNumber(nginx, "worker_connections");
        int streams = 0;
        for (String ingress : List.of("ingress-1", "ingress-2")) {
            String max = COMPOSE.path("services").path(ingress).path("environment").path(
                    "TOLLGATE_INGRESS_STREAMS_MAX").asString("");
            streams += max.isEmpty() ? defaultStreamsMax() : Integer.parseInt(max);
        }

        assertThat(workers * connections).as("nginx's connections").isGreaterThanOrEqualTo(4
                * streams);
        assertThat(nginxNumber(nginx, "worker_rlimit_nofile")).as("worker_rlimit_nofile")
                .isGreaterThanOrEqualTo(connections);
        assertThat(nginx).contains("client_header_timeout 10s;", "client_body_timeout 10s;");
    }

    /** tollgate.ingress.streams.max's default, as IngressProperties.Streams declares it. */
    private static int defaultStreamsMax() throws java.io.IOException {
        String source = Files.readString(RoleSettings.repository().resolve(
                "ingress/src/main/java/dev/tollgate/ingress/config/IngressProperties.java"));
        var match = java.util.regex.Pattern.compile(
                "class Streams \\{[^}]*?private int max = ([0-9_]+);").matcher(source);
        assertThat(match.find()).as("IngressProperties.Streams declares max").isTrue();
        return Integer.parseInt(match.group(1).replace("_", ""));
    }

    private static int nginxNumber(String config, String directive) {
        var match = java.util.regex.Pattern.compile("(?m)^\\s*" + directive + "\\s+(\\d+);")
                .matcher(config);
        assertThat(match.find()).as("nginx.conf sets %s to a number", directive).isTrue();
        return Integer.parseInt(match.group(1));
    }

    /** Whether an IPv4 address lies in a CIDR block. */
    private static boolean inside(String address, String cidr) {
        int slash = cidr.indexOf('/');
        int bits = Integer.parseInt(cidr.substring(slash + 1));
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (ipv4(address) & mask) == (ipv4(cidr.substring(0, slash)) & mask);
    }

    private static long ipv4(String address) {
        long value = 0;
        for (String part : address.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    /**
     * secrets/README.md's commands, run under umask 022 in a folder a checkout made 0755, leave
     * no other host user a way to read a secret: the folder 0700 (compose bind-mounts each file,
     * so the containers reach it without the folder), and every file compose.yaml names present,
     * readable by the containers' users (10001, 1000, postgres: not the host user who made it)
     * and writable by its owner alone.
     */
    @Test
    void theReadmesSecretFilesAreReachableOnlyByTheirOwnerAndReadableInTheContainers(
            @org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        String output = SecretsReadme.make(root);

        Path folder = root.resolve("compose/secrets");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files
                .getPosixFilePermissions(folder))).as("compose/secrets; the commands printed:%n%s",
                        output)
                .isEqualTo("rwx------");
        List<String> files = new ArrayList<>();
        COMPOSE.path("secrets").properties().forEach(e -> files.add(e.getValue().path("file")
                .asString()));
        assertThat(files).hasSizeGreaterThanOrEqualTo(15);
        for (String file : files) {
            Path path = root.resolve("compose").resolve(file).normalize();
            assertThat(path).as(file).isRegularFile();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files
                    .getPosixFilePermissions(path))).as(file).isEqualTo("rw-r--r--");
            assertThat(Files.size(path)).as(file).isPositive();
        }
    }

    @Test
    void secretsAreFilesMountedIntoTheServicesThatNameThemAndThePolicyFileIsMounted() {
        JsonNode declared = COMPOSE.path("secrets");

        COMPOSE.path("services").properties().forEach(e -> {
            Set<String> mounted = new LinkedHashSet<>();
            e.getValue().path("secrets").forEach(s -> mounted.add(s.asString()));
            mounted.forEach(secret -> assertThat(declared.path(secret).path("file").asString())
                    .as(e.getKey() + " uses secret " + secret).startsWith("./secrets/"));
            e.getValue().path("environment").properties().forEach(env -> {
                String value = env.getValue().asString("");
                if (value.startsWith("/run/secrets/")) {
                    assertThat(mounted).as(e.getKey() + " " + env.getKey()).contains(value
                            .substring("/run/secrets/".length()));
                }
                assertThat(env.getKey()).as("secrets travel as files, never as values")
                        .doesNotEndWith("_PASSWORD").doesNotEndWith("_SECRET")
                        .doesNotEndWith("_KEY").isNotEqualTo("TOLLGATE_ADMIN_KEY");
            });
        });
        JsonNode decision = COMPOSE.path("services").path("decision-worker");
        String policy = decision.path("environment").path("TOLLGATE_POLICY_FILE").asString();
        String volume = decision.path("volumes").get(0).asString();
        assertThat(volume).endsWith(":" + policy + ":ro");
        assertThat(DIR.resolve(volume.substring(0, volume.indexOf(':')))).isRegularFile();
        assertThat(DIR.resolve("postgres/init.sh")).isRegularFile();
    }

    @Test
    void theAuditSinkLogsInAsTheWriterOnlyRoleAfterAOneShotMigrationAsTheOwner() {
        AuditRoles roles = AuditRoles.fromInitScript();
        JsonNode services = COMPOSE.path("services");
        JsonNode sink = services.path("audit-sink");
        JsonNode migrate = services.path("audit-migrate");
        List<String> command = new ArrayList<>();
        migrate.path("command").forEach(c -> command.add(c.asString()));
        String ownerPassword = command.get(command.indexOf("--password-file") + 1);
        Set<String> sinkSecrets = new LinkedHashSet<>();
        sink.path("secrets").forEach(s -> sinkSecrets.add(s.asString()));
        Set<String> migrateSecrets = new LinkedHashSet<>();
        migrate.path("secrets").forEach(s -> migrateSecrets.add(s.asString()));
        Set<String> postgresSecrets = new LinkedHashSet<>();
        services.path("postgres").path("secrets").forEach(s -> postgresSecrets.add(s
                .asString()));
        String sinkPassword = sink.at("/environment/TOLLGATE_AUDIT_POSTGRES_PASSWORD_FILE")
                .asString();

        assertThat(sink.at("/environment/TOLLGATE_AUDIT_POSTGRES_USER").asString()).isEqualTo(
                roles.sink());
        assertThat(sink.at("/environment/TOLLGATE_AUDIT_POSTGRES_MIGRATE").asString("false"))
                .isEqualTo("false");
        assertThat(sink.at("/depends_on/audit-migrate/condition").asString()).isEqualTo(
                "service_completed_successfully");
        assertThat(command).startsWith("migrate").containsSubsequence("--user", roles.owner())
                .containsSubsequence("--jdbc-url", sink.at(
                        "/environment/TOLLGATE_AUDIT_POSTGRES_URL").asString());
        assertThat(migrate.path("entrypoint").toString()).contains(
                "dev.tollgate.audit.AuditCommand");
        assertThat(migrate.path("image").asString()).isEqualTo(sink.path("image").asString());
        assertThat(ownerPassword).startsWith("/run/secrets/");
        String ownerSecret = ownerPassword.substring("/run/secrets/".length());
        assertThat(migrateSecrets).containsExactly(ownerSecret);
        assertThat(sinkSecrets).as("the owner's password never reaches the sink")
                .doesNotContain(ownerSecret);
        // init.sh reads the passwords of both roles under the names compose gives the secrets
        assertThat(postgresSecrets).contains(ownerSecret, sinkPassword.substring(
                "/run/secrets/".length()));
        assertThat(DIR.resolve("postgres/init.sh")).content().contains(ownerPassword,
                sinkPassword);
        // the pruner group exists for the migration's grant, and no login is in it
        assertThat(DIR.resolve("postgres/init.sh")).content().contains(
                "CREATE ROLE tollgate_audit_pruner NOLOGIN;").doesNotContain(
                        "IN ROLE tollgate_audit_pruner")
                .doesNotContain(
                        "GRANT tollgate_audit_pruner");
        // psql reads each password from its file itself: none is on a command line or in an
        // environment (InitScriptTest runs init.sh and watches)
        assertThat(AuditRoles.script()).doesNotContain("$(cat").doesNotContainPattern(
                "-v \\w*password");
    }

    /**
     * audit-verify checks the record as the readers' login of init.sh, with a password of its own:
     * never the sink's (which can append, and an appended record with a correct hash verifies
     * like any other) nor the owner's. The sink's password reaches only the sink and PostgreSQL,
     * the reader's only audit-verify and PostgreSQL, and init.sh creates the reader's login from
     * exactly that secret.
     */
    @Test
    void auditVerifyLogsInAsTheReadOnlyReaderWithAPasswordOfItsOwn() throws Exception {
        AuditRoles roles = AuditRoles.fromInitScript();
        JsonNode services = COMPOSE.path("services");
        JsonNode verify = services.path("audit-verify");
        List<String> command = new ArrayList<>();
        verify.path("command").forEach(c -> command.add(c.asString()));
        String user = command.get(command.indexOf("--user") + 1);
        String password = command.get(command.indexOf("--password-file") + 1);
        String sinkPassword = services.at("/audit-sink/environment/"
                + "TOLLGATE_AUDIT_POSTGRES_PASSWORD_FILE").asString();
        String ownerPassword = services.at("/audit-migrate/command").valueStream().map(
                JsonNode::asString).dropWhile(a -> !a.equals("--password-file")).skip(1)
                .findFirst().orElseThrow();
        Map<String, Set<String>> mountedBy = new LinkedHashMap<>();
        services.properties().forEach(e -> secretsOf(e.getValue()).forEach(secret -> mountedBy
                .computeIfAbsent(secret, s -> new LinkedHashSet<>()).add(e.getKey())));
        String readerSecret = password.substring("/run/secrets/".length());
        String sinkSecret = sinkPassword.substring("/run/secrets/".length());
        var readBy = java.util.regex.Pattern.compile("\\\\set (\\w+) `cat "
                + java.util.regex.Pattern.quote(password) + "`").matcher(AuditRoles.script());

        assertThat(command).startsWith("verify");
        assertThat(user).as("audit-verify's --user").isEqualTo(roles.reader()).isNotEqualTo(
                roles.sink());
        assertThat(password).startsWith("/run/secrets/").isNotEqualTo(sinkPassword).isNotEqualTo(
                ownerPassword);
        assertThat(secretsOf(verify)).as("audit-verify mounts only the reader's password")
                .containsExactly(readerSecret);
        assertThat(mountedBy.get(sinkSecret)).as("who mounts the sink's password")
                .containsExactlyInAnyOrder("postgres", "audit-sink");
        assertThat(mountedBy.get(readerSecret)).as("who mounts the reader's password")
                .containsExactlyInAnyOrder("postgres", "audit-verify");
        assertThat(COMPOSE.at("/secrets/" + readerSecret + "/file").asString()).isNotEqualTo(
                COMPOSE.at("/secrets/" + sinkSecret + "/file").asString());
        assertThat(readBy.find()).as("init.sh reads %s", password).isTrue();
        assertThat(AuditRoles.passwordVariable(roles.reader())).as(
                "init.sh creates %s with the password it read", roles.reader()).isEqualTo(
                        readBy
                                .group(1));
        assertThat(Files.readString(DIR.resolve("README.md"))).as("compose/README.md says what"
                + " audit-verify runs").contains("audit verify --store postgres --jdbc-url '"
                        + command.get(command.indexOf("--jdbc-url") + 1) + "' --user " + user
                        + " --password-file " + password);
    }

    @Test
    void kafkaAuthenticatesEveryListenerAllowsNothingWithoutAnAclAndEachRoleHasItsOwnPrincipal()
            throws Exception {
        JsonNode services = COMPOSE.path("services");
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            JsonNode env = services.path(broker).path("environment");
            assertThat(env.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asString().split(","))
                    .as(broker + ": every listener authenticates").allSatisfy(mapping -> assertThat(
                            mapping).endsWith(":SASL_PLAINTEXT"));
            assertThat(env.path("KAFKA_LISTENERS").asString()).doesNotContain("PLAINTEXT://");
            assertThat(env.path("KAFKA_AUTHORIZER_CLASS_NAME").asString()).isEqualTo(
                    "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            assertThat(env.path("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asString()).isEqualTo(
                    "false");
            assertThat(env.path("KAFKA_SUPER_USERS").asString()).isEqualTo("User:"
                    + KafkaAcls.BROKER_USER);
            assertThat(env.path("KAFKA_OPTS").asString()).isEqualTo(
                    "-Djava.security.auth.login.config=/run/secrets/kafka_server_jaas");
            assertThat(secretsOf(services.path(broker))).contains("kafka_server_jaas",
                    "kafka_admin_client");
            assertThat(services.path(broker).at("/healthcheck/test/1").asString()).contains(
                    "--command-config /run/secrets/kafka_admin_client");
        }

        JsonNode setup = services.path("kafka-setup");
        String mounted = setup.path("volumes").get(0).asString();
        assertThat(DIR.resolve(mounted.substring(0, mounted.indexOf(':')))).as(
                "the script kafka-setup runs is the one KafkaSetupScript generates (print it"
                        + " again: java -cp ... dev.tollgate.schemas.KafkaSetupScript)")
                .content(StandardCharsets.UTF_8).isEqualTo(KafkaSetupScript.text());
        assertThat(setup.path("entrypoint").toString()).contains(mounted.split(":")[1]);
        Set<String> passwords = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> service : roleServices().entrySet()) {
            String role = service.getValue().path("labels").path("dev.tollgate.role").asString();
            JsonNode env = service.getValue().path("environment");
            String name = service.getKey();
            assertThat(env.path("TOLLGATE_KAFKA_USERNAME").asString()).as(name).isEqualTo(
                    KafkaAcls.userOf(role));
            String password = env.path("TOLLGATE_KAFKA_PASSWORD_FILE").asString();
            assertThat(setup.path("environment").path(KafkaSetupScript.passwordVariable(role))
                    .asString()).as(name + ": kafka-setup sets the password this role logs in"
                            + " with")
                    .isEqualTo(password);
            passwords.add(role + " " + password);
            assertThat(env.path("TOLLGATE_KAFKA_PROVISION_TOPICS").asString()).as(name
                    + ": topics come from kafka-setup, roles hold no CREATE").isEqualTo("false");
            assertThat(service.getValue().at("/depends_on/kafka-setup/condition").asString())
                    .as(name).isEqualTo("service_completed_successfully");
        }
        assertThat(passwords.stream().map(p -> p.split(" ")[1]).distinct()).as(
                "no two roles share a password").hasSize(KafkaAcls.DEPLOYED_ROLES.size());
    }

    private static Set<String> secretsOf(JsonNode service) {
        Set<String> names = new LinkedHashSet<>();
        service.path("secrets").forEach(secret -> names.add(secret.asString()));
        return names;
    }

    private static Map<String, JsonNode> roleServices() {
        Map<String, JsonNode> roles = new LinkedHashMap<>();
        COMPOSE.path("services").properties().forEach(e -> {
            if (e.getValue().path("labels").has("dev.tollgate.role")) {
                roles.put(e.getKey(), e.getValue());
            }
        });
        return roles;
    }

    private static Set<String> envNames(JsonNode service) {
        Set<String> names = new LinkedHashSet<>();
        service.path("environment").properties().forEach(e -> names.add(e.getKey()));
        return names;
    }
}
