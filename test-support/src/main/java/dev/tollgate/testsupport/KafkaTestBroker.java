package dev.tollgate.testsupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * A real Kafka broker for tests, one per test JVM, started on first use and stopped when the JVM's
 * tests are done. Embedded KRaft in this JVM by default (there is no Docker engine on these
 * machines); a Testcontainers broker when {@code TOLLGATE_TEST_KAFKA=testcontainers} (or the
 * system property {@code tollgate.test.kafka}) and a Docker engine answers.
 *
 * <p>Tests share the broker, so each asks for its own topic and group names
 * ({@link #uniqueName}).
 */
public final class KafkaTestBroker {

    /** How the broker runs. */
    public enum Kind {
        EMBEDDED_KRAFT, TESTCONTAINERS
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile KafkaTestBroker instance;

    private final Kind kind;
    private final String bootstrapServers;
    private final AutoCloseable stopper;
    private final Outages outages;

    /** Stops and restarts the broker process's serving part, on the same address and data. */
    interface Outages {
        void stop();

        void restart();
    }

    private KafkaTestBroker(Kind kind, String bootstrapServers, AutoCloseable stopper,
            Outages outages) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.stopper = stopper;
        this.outages = outages;
    }

    /** The JVM's broker, started on first call. */
    public static KafkaTestBroker get() {
        KafkaTestBroker broker = instance;
        if (broker == null) {
            synchronized (KafkaTestBroker.class) {
                broker = instance;
                if (broker == null) {
                    broker = start();
                    instance = broker;
                    KafkaTestBroker started = broker;
                    Runtime.getRuntime().addShutdownHook(new Thread(started::stop,
                            "kafka-test-broker-stop"));
                }
            }
        }
        return broker;
    }

    private static KafkaTestBroker start() {
        String wanted = System.getProperty("tollgate.test.kafka",
                System.getenv().getOrDefault("TOLLGATE_TEST_KAFKA", "embedded"));
        if (wanted.equalsIgnoreCase("testcontainers")) {
            KafkaTestBroker containerised = ContainerBroker.startIfDockerAvailable();
            if (containerised != null) {
                return containerised;
            }
            System.err.println("[kafka-test-broker] TOLLGATE_TEST_KAFKA=testcontainers but no "
                    + "Docker engine answers: using the embedded KRaft broker");
        }
        return EmbeddedBroker.start();
    }

    /**
     * A second embedded broker, a Kafka cluster of its own (its own cluster ID), for tests of what
     * happens when the cluster behind an address is replaced. Not shared: the caller
     * {@link #close closes} it.
     */
    public static KafkaTestBroker startSeparate() {
        return EmbeddedBroker.start();
    }

    /** Stops a broker from {@link #startSeparate}; the JVM's shared broker stops with the JVM. */
    public void close() {
        if (this == instance) {
            throw new IllegalStateException("the JVM's shared test broker is stopped at exit");
        }
        stop();
    }

    static KafkaTestBroker of(Kind kind, String bootstrapServers, AutoCloseable stopper) {
        return new KafkaTestBroker(kind, bootstrapServers, stopper, null);
    }

    static KafkaTestBroker of(Kind kind, String bootstrapServers, AutoCloseable stopper,
            Outages outages) {
        return new KafkaTestBroker(kind, bootstrapServers, stopper, outages);
    }

    /**
     * Shuts the broker down (its KRaft controller keeps running): clients lose it as in an outage.
     * Only for a broker of {@link #startSeparate}: the shared one serves every other test.
     */
    public void stopBroker() {
        outages().stop();
    }

    /** Starts a broker stopped by {@link #stopBroker} again, on the same address and data. */
    public void restartBroker() {
        outages().restart();
    }

    private Outages outages() {
        if (this == instance) {
            throw new IllegalStateException("the JVM's shared test broker serves every test: stop"
                    + " a broker of KafkaTestBroker.startSeparate() instead");
        }
        if (outages == null) {
            throw new UnsupportedOperationException("a " + kind + " broker cannot be stopped and"
                    + " restarted here");
        }
        return outages;
    }

    public Kind kind() {
        return kind;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A name no other test in this JVM gets: {@code prefix-N-xxxxxxxx}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Producer settings for the request path: idempotent, acks=all, no linger. */
    public Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    /** Consumer settings reading from the earliest offset in a fresh group. */
    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /**
     * Creates topics ({@code partitions} each, one replica) and returns once the broker serves
     * every partition, i.e. answers a ListOffsets for it as its leader. Creating a topic returns as
     * soon as the controller has recorded it; the broker applies that a moment later, longer on a
     * busy machine. An idempotent producer that writes into that moment with several requests in
     * flight can lose its first batch without a trace (KAFKA-15591, fixed in Kafka 4.5): the first
     * request is refused with NOT_LEADER_OR_FOLLOWER, a later one is appended, and every retry of
     * the first is then OUT_OF_ORDER_SEQUENCE_NUMBER until {@code delivery.timeout.ms} expires it.
     * Waiting here closes that window.
     *
     * @throws AssertionError naming the partitions not served and the last error, if the broker
     *             does not serve them within two minutes
     */
    public void createTopics(int partitions, String... names) throws Exception {
        List<NewTopic> topics = java.util.Arrays.stream(names).map(name -> new NewTopic(name,
                partitions, (short) 1)).toList();
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        for (String name : names) {
            for (int p = 0; p < partitions; p++) {
                all.put(new TopicPartition(name, p), OffsetSpec.latest());
            }
        }
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            Map<TopicPartition, Object> notServed = new java.util.TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::toString));
            while (true) {
                notServed.clear();
                ListOffsetsResult offsets = admin.listOffsets(all, new ListOffsetsOptions()
                        .timeoutMs(5_000));
                for (TopicPartition partition : all.keySet()) {
                    try {
                        offsets.partitionResult(partition).get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        notServed.put(partition, e.getCause());
                    }
                }
                if (notServed.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the broker did not serve " + notServed.size() + " of "
                            + all.size() + " new partitions within 2 minutes: " + notServed);
                }
                Thread.sleep(50);
            }
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) Duration.ofSeconds(30).toMillis()));
    }

    private void stop() {
        try {
            stopper.close();
        } catch (Exception e) {
            System.err.println("[kafka-test-broker] stop failed: " + e);
        }
    }
}
