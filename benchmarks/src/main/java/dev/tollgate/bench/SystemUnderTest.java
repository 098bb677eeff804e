package dev.tollgate.bench;

import java.util.List;

/**
 * The standalone Tollgate system a run drives, however it runs: in this JVM, in one child JVM, or
 * as one JVM per role. Closing it stops everything it started.
 */
interface SystemUnderTest extends AutoCloseable {

    /** The ingress, e.g. {@code http://127.0.0.1:PORT}. */
    String baseUrl();

    /** The broker's bootstrap address. */
    String bootstrapServers();

    /**
     * Client settings for the floors and stages: the bootstrap address and the broker's own
     * principal (a super user; the embedded broker lets nobody in without one). They hold a
     * password: never print them.
     */
    java.util.Map<String, Object> kafkaClientProperties();

    String adminKey();

    /** The processes to measure besides the benchmark's own JVM (none when it is this JVM). */
    List<ProcessStats.Measured> processes();

    /** The process that holds the Kafka broker (this JVM's own when everything runs here). */
    long brokerPid();

    /** Where its Prometheus metrics are (every role's, when the roles run apart). */
    default List<String> metricsUrls() {
        return List.of(baseUrl() + "/actuator/prometheus");
    }

    /** How it runs, for the table's first line. */
    String description();

    @Override
    void close();
}
