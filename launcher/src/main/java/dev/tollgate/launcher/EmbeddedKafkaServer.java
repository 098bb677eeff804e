package dev.tollgate.launcher;

import dev.tollgate.schemas.MessageLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import dev.tollgate.schemas.KafkaAcls;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one), run with Kafka's own
 * server entry point. Its log lives under a local folder and survives restarts unless wiped.
 *
 * <p>Nothing on it is open: every listener is on 127.0.0.1 and requires SASL, and the broker
 * authorizes with {@code StandardAuthorizer} and {@code allow.everyone.if.no.acl.found=false}, so a
 * process without a principal and an ACL reads and writes nothing.
 * <ul>
 * <li>{@code CLIENT} (the port clients bootstrap from): SASL/SCRAM-SHA-512 only, the roles'
 * principals ({@link StandaloneKafkaSecurity} creates them and their ACLs);</li>
 * <li>{@code INTERNAL} (inter-broker, and the launcher's own administration) and
 * {@code CONTROLLER} (KRaft): SASL/PLAIN for the broker's own principal
 * ({@code tollgate-broker}, the only super user) against a password given in memory, so the
 * broker needs nothing from its metadata to let itself in.</li>
 * </ul>
 */
public final class EmbeddedKafkaServer implements AutoCloseable {

    /**
     * How long the broker waits before asking the transaction coordinator again when a
     * transaction's first write arrives while the previous transaction's commit markers are still
     * being written (CONCURRENT_TRANSACTIONS). Kafka's default, 20 ms, stalls the decision worker's
     * next transaction whenever requests arrive back to back; the markers take a millisecond or
     * two. The broker retries for at most {@code add.partitions.to.txn.retry.backoff.max.ms}
     * (100 ms) either way. Compose sets the same on its brokers; see the README's "Kafka" notes.
     */
    static final String ADD_PARTITIONS_RETRY_BACKOFF = "add.partitions.to.txn.retry.backoff.ms";
    static final String ADD_PARTITIONS_RETRY_BACKOFF_MS = "1";

    /** The mechanism of the client listener. */
    public static final String CLIENT_MECHANISM = "SCRAM-SHA-512";
    static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    private final Path dataDir;
    private final int port;
    private final int internalPort;
    private final String brokerPassword;
    private final KafkaRaftServer server;

    private EmbeddedKafkaServer(Path dataDir, int port, int internalPort, String brokerPassword,
            KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.port = port;
        this.internalPort = internalPort;
        this.brokerPassword = brokerPassword;
        this.server = server;
    }

    /**
     * Formats the storage if needed and starts the broker.
     *
     * @param dataDir where the broker keeps its log (created if missing)
     * @param port the client port on 127.0.0.1, or 0 for any free port
     * @param wipe delete any earlier data first
     * @param brokerPassword the password of the broker's own principal ({@code tollgate-broker})
     */
    public static EmbeddedKafkaServer start(Path dataDir, int port, boolean wipe,
            String brokerPassword) {
        return start(dataDir, port, wipe, brokerPassword, MessageLimits.defaults());
    }

    /**
     * Formats the storage if needed and starts the broker, taking records up to {@code limits}.
     *
     * @param limits the one record size the roles' producers and topics follow too
     */
    public static EmbeddedKafkaServer start(Path dataDir, int port, boolean wipe,
            String brokerPassword, MessageLimits limits) {
        try {
            if (wipe) {
                deleteRecursively(dataDir);
            }
            Path logDir = dataDir.resolve("kafka-logs");
            dev.tollgate.runtime.security.PrivateFolders.create(logDir);
            // found together, so no two listeners are given one port
            List<Integer> free = LoopbackPorts.free(port == 0 ? 3 : 2, port == 0
                    ? Set.of()
                    : Set.of(port));
            int clientPort = port == 0 ? free.get(2) : port;
            int internalPort = free.get(0);
            int controllerPort = free.get(1);
            Properties props = brokerProperties(clientPort, internalPort, controllerPort, logDir,
                    brokerPassword);
            props.putAll(sizeProperties(limits));
            Path config = dataDir.resolve("server.properties");
            Properties onDisk = new Properties();
            props.forEach((key, value) -> {
                if (!key.toString().endsWith("sasl.jaas.config")) {
                    onDisk.put(key, value); // the password stays in memory
                }
            });
            Files.deleteIfExists(config);
            try (var out = Files.newOutputStream(config)) {
                onDisk.store(out, "generated by the Tollgate launcher; rewritten on every start"
                        + " (the broker's password is not in it)");
            }
            format(config, logDir);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false),
                    Time.SYSTEM);
            server.startup();
            return new EmbeddedKafkaServer(dataDir, clientPort, internalPort, brokerPassword,
                    server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data under " + dataDir, e);
        }
    }

    /** The broker's configuration: one node, broker and controller, on 127.0.0.1, SASL only. */
    static Properties brokerProperties(int clientPort, int internalPort, int controllerPort,
            Path logDir, String brokerPassword) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "CLIENT://127.0.0.1:" + clientPort + ",INTERNAL://127.0.0.1:"
                + internalPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "CLIENT://127.0.0.1:" + clientPort
                + ",INTERNAL://127.0.0.1:" + internalPort);
        props.put("listener.security.protocol.map",
                "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "INTERNAL");
        props.put("listener.name.client.sasl.enabled.mechanisms", CLIENT_MECHANISM);
        props.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        String plain = plainJaas(brokerPassword);
        for (String listener : List.of("internal", "controller")) {
            props.put("listener.name." + listener + ".sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name." + listener + ".plain.sasl.jaas.config", plain);
        }
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("authorizer.class.name", STANDARD_AUTHORIZER);
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("super.users", "User:" + KafkaAcls.BROKER_USER);
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put(ADD_PARTITIONS_RETRY_BACKOFF, ADD_PARTITIONS_RETRY_BACKOFF_MS);
        props.putAll(threadProperties(Runtime.getRuntime().availableProcessors()));
        return props;
    }

    /**
     * The broker's request handlers and network threads for a machine of {@code cpus}: it shares
     * them with every role, so Kafka's defaults for a broker of its own (8 handlers, 3 network
     * threads per listener) are the upper bound, not the size — one handler per CPU (at least
     * 2), one network thread per two (at least 1).
     */
    static Properties threadProperties(int cpus) {
        Properties props = new Properties();
        props.put("num.io.threads", Integer.toString(Math.clamp(cpus, 2, 8)));
        props.put("num.network.threads", Integer.toString(Math.clamp(cpus / 2, 1, 3)));
        return props;
    }

    /** The broker's record size, the one its topics and the roles' producers follow. */
    static Properties sizeProperties(MessageLimits limits) {
        Properties props = new Properties();
        props.put("message.max.bytes", Integer.toString(limits.brokerMessageMaxBytes()));
        return props;
    }

    /** The broker's principal on the PLAIN listeners: the server's user table and its own login. */
    private static String plainJaas(String password) {
        if (password == null || password.length() < 32 || password.chars().anyMatch(c -> c == '"'
                || c == '\\' || c < 0x21)) {
            throw new IllegalArgumentException("the broker's password must have at least 32"
                    + " characters and no quotes, backslashes or spaces");
        }
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + KafkaAcls.BROKER_USER + "\" password=\"" + password + "\" user_"
                + KafkaAcls.BROKER_USER + "=\"" + password + "\";";
    }

    private static void format(Path config, Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // formatted on an earlier run: keep its data
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit = StorageTool.execute(new String[]{"format", "--cluster-id", Uuid.randomUuid()
                .toString(), "--config", config.toString(), "--ignore-formatted"},
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (exit != 0) {
            throw new IllegalStateException("formatting Kafka storage under " + logDir
                    + " failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** The client listener (SASL/SCRAM-SHA-512): where roles and tools connect. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Admin client settings as the broker's own principal, a super user, over the internal
     * listener: for the launcher to create topics, principals and ACLs. They hold its password.
     */
    public Map<String, Object> superUserClientProperties() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:" + internalPort);
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"" + KafkaAcls.BROKER_USER + "\" password=\""
                + brokerPassword + "\";");
        return props;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
