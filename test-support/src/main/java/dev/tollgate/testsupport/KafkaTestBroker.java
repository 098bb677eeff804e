package dev.tollgate.testsupport;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

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

    private KafkaTestBroker(Kind kind, String bootstrapServers, AutoCloseable stopper) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.stopper = stopper;
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

    static KafkaTestBroker of(Kind kind, String bootstrapServers, AutoCloseable stopper) {
        return new KafkaTestBroker(kind, bootstrapServers, stopper);
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
