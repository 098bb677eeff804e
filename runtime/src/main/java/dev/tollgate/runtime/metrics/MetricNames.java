package dev.tollgate.runtime.metrics;

/**
 * The names of Tollgate's own meters (Micrometer dotted form; Prometheus shows them with
 * underscores and a {@code _total} suffix on counters). The Grafana dashboard queries these.
 */
public final class MetricNames {

    /** Tool calls accepted by an ingress and put on the request topic; tag {@code tool}. */
    public static final String CALLS_REQUESTED = "tollgate.calls.requested";
    /** Final answers to tool calls; tags {@code tool}, {@code outcome}, {@code error_class}. */
    public static final String CALLS_COMPLETED = "tollgate.calls.completed";
    /** Policy decisions; tags {@code outcome} (allowed, monitor_only, denied) and {@code reason}. */
    public static final String DECISIONS = "tollgate.decisions";
    /** Installation tokens minted (TokenMinted events); tag {@code static_fallback}. */
    public static final String TOKENS_MINTED = "tollgate.tokens.minted";
    /** Records set aside as dead letters. */
    public static final String DEAD_LETTERS = "tollgate.dead.letters";
    /** Records a consumer is behind the end of each partition it reads; tags {@code client_id}, {@code topic}, {@code partition}. */
    public static final String CONSUMER_LAG = "tollgate.kafka.consumer.lag";

    private MetricNames() {
    }
}
