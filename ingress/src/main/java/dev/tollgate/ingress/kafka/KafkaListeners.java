package dev.tollgate.ingress.kafka;

import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.ingress.core.grants.PolicyGrants;
import dev.tollgate.ingress.core.replies.Reply;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.GrantEvents;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.TopicTail;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The ingress's readers, started before the web server accepts calls and stopped after it has
 * drained: the token records on gateway.agent-tokens (read from the beginning, so a restarted
 * replica still refuses revoked tokens), the newest records of gateway.policy (the grants of the
 * policy in force, from which an agent's tools are listed), and every partition of gateway.requests and
 * gateway.replies (read from {@code completed-retention} ago): so any replica knows every request
 * made through any replica and its final answer, and {@code get_request_status} answers wherever
 * a proxy sends it. The calls this replica waits on are woken by the same reader.
 */
public final class KafkaListeners implements SmartLifecycle {

    /** Starts before and stops after the web server (whose phase is MAX_VALUE - 2048). */
    public static final int PHASE = Integer.MAX_VALUE - 4096;
    private static final Logger log = LoggerFactory.getLogger(KafkaListeners.class);
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    /** How many of each gateway.policy partition's newest records are read at start-up. */
    static final int POLICY_RECORDS = 32;
    /**
     * The longest {@code tollgate.ingress.requests-reader-wait}: {@code get_request_status} waits
     * at most 5 s for both readers to catch up, and a fetch must come back well within that.
     */
    static final Duration MAX_REQUESTS_READER_WAIT = Duration.ofSeconds(1);
    /**
     * What the requests reader asks the broker to gather before answering a fetch early: far more
     * than the requests of one wait at any rate this replica sees, so it waits the full time.
     */
    static final int REQUESTS_READER_MIN_BYTES = 1024 * 1024;
    /** The readers' client IDs start with it: {@code tollgate-ingress-agent-tokens}. */
    public static final String CLIENT_ID_PREFIX = "tollgate-ingress-";

    private final Map<String, Object> consumerProperties;
    private final ReplyBook replies;
    private final TokenService tokens;
    private final Clock clock;
    private final String configuredPartition;
    private final String instanceId;
    private final Duration retention;
    private final Duration requestsReaderWait;
    private final Duration contactBound;
    private TopicTail<ToolCallCompleted> results;
    private TopicTail<ToolCallRequested> requests;
    private TopicTail<AgentTokenChanged> agentTokens;
    private TopicTail<PolicyChanged> policy;
    private final PolicyGrants grants;
    /** Asks the brokers for end offsets (a reader's consumer belongs to its thread). */
    private KafkaConsumer<byte[], byte[]> offsets;
    private volatile int replyPartition = -1;
    private ScheduledExecutorService housekeeping;

    public KafkaListeners(Map<String, Object> consumerProperties, ReplyBook replies,
            TokenService tokens, PolicyGrants grants, Clock clock, String configuredPartition,
            String instanceId, Duration retention, Duration requestsReaderWait,
            Duration contactBound) {
        if (contactBound.toMillis() < 300) {
            throw new IllegalArgumentException("tollgate.ingress.kafka-contact-bound must be at"
                    + " least 300 ms, got " + contactBound.toMillis() + " ms");
        }
        this.contactBound = contactBound;
        if (requestsReaderWait.isNegative() || requestsReaderWait.compareTo(
                MAX_REQUESTS_READER_WAIT) > 0) {
            throw new IllegalArgumentException("tollgate.ingress.requests-reader-wait must be"
                    + " between 0 and " + MAX_REQUESTS_READER_WAIT.toMillis() + " ms, got "
                    + requestsReaderWait.toMillis() + " ms");
        }
        this.requestsReaderWait = requestsReaderWait;
        this.consumerProperties = consumerProperties;
        this.grants = grants;
        this.replies = replies;
        this.tokens = tokens;
        this.clock = clock;
        this.configuredPartition = configuredPartition;
        this.instanceId = instanceId;
        this.retention = retention;
    }

    @Override
    public void start() {
        agentTokens = reader("agent-tokens", consumerProperties, withRequestId("agent-tokens",
                this::onAgentToken));
        agentTokens.startCaughtUp(agentTokens.partitionsOf(Topics.AGENT_TOKENS.name(), CATCH_UP),
                new TopicTail.Beginning(), CATCH_UP);
        tokens.revocationsCurrentWhile(this::tokenRecordsRead); // fail closed while it is not
        policy = reader("policy", consumerProperties, withRequestId("policy", this::onPolicy));
        policy.startCaughtUp(policy.partitionsOf(Topics.POLICY.name(), CATCH_UP),
                new TopicTail.LastRecords(POLICY_RECORDS), CATCH_UP);
        TopicTail.From since = new TopicTail.Since(clock.millis() - retention.toMillis());
        // requests before answers, so that replaying both leaves each answered request answered
        requests = reader("requests", requestsReaderProperties(consumerProperties,
                requestsReaderWait), withRequestId("requests", this::onRequest));
        requests.startCaughtUp(requests.partitionsOf(Topics.REQUESTS.name(), CATCH_UP), since,
                CATCH_UP);
        results = reader("replies", consumerProperties, withRequestId("replies",
                this::onResult));
        List<TopicPartition> partitions = results.partitionsOf(Topics.REPLIES.name(), CATCH_UP);
        replyPartition = ReplyPartition.resolve(configuredPartition, instanceId, partitions
                .size());
        results.startCaughtUp(partitions, since, CATCH_UP);
        offsets = TopicTail.offsetsConsumer(consumerProperties, CLIENT_ID_PREFIX + "offsets");
        List<TopicPartition> read = new java.util.ArrayList<>(requests.partitions());
        read.addAll(partitions);
        offsets.assign(read); // never polled: assigned so that the stable end offsets are kept
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("tollgate-ingress-housekeeping").factory());
        housekeeping.scheduleWithFixedDelay(() -> {
            replies.prune();
            tokens.revocations().prune();
        }, 1, 1, TimeUnit.MINUTES);
        log.info("answers are asked on {}-{} (tollgate.ingress.reply-partition={}); reading "
                + "every partition of {} and {}; {} requests and answers of the last {} kept, "
                + "{} token revocations loaded", Topics.REPLIES.name(), replyPartition,
                configuredPartition, Topics.REQUESTS.name(), Topics.REPLIES.name(), replies
                        .size(),
                retention, tokens.revocations().size());
    }

    /**
     * One of the ingress's readers: events it cannot decode are handled as null (skipped), and it
     * counts as running only while the broker answered it within {@code contactBound}.
     */
    private <V extends org.apache.avro.specific.SpecificRecord> TopicTail<V> reader(String name,
            Map<String, Object> properties, Consumer<ConsumerRecord<String, V>> handler) {
        return new TopicTail<>(name, CLIENT_ID_PREFIX + name, properties, TopicTail.lenient(
                new EventDeserializer<V>(), e -> null), handler,
                TopicTail.Settings.defaults()
                        .withContactBound(contactBound));
    }

    /**
     * The requests reader's consumer settings: the base ones, and unless {@code wait} is zero,
     * fetches the broker answers only after {@code wait} (or once a megabyte has gathered). No
     * call waits on this reader — a replica registers its own calls before publishing them, and
     * {@code get_request_status} waits for it to catch up — and fetching every request as it
     * comes cost the broker about one request in eight per call at 8 in flight (the bench's
     * "client requests per call").
     */
    static Map<String, Object> requestsReaderProperties(Map<String, Object> base,
            Duration wait) {
        if (wait.isZero()) {
            return base;
        }
        Map<String, Object> props = new HashMap<>(base);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) wait.toMillis());
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, REQUESTS_READER_MIN_BYTES);
        return props;
    }

    /**
     * Waits until the readers of gateway.requests and gateway.replies have handled every record
     * that was on those topics when called, at most {@code timeout}: so a request or answer
     * written through another replica just before is known here.
     *
     * @return whether they got there in time
     */
    public boolean awaitCaughtUp(Duration timeout) {
        TopicTail<ToolCallRequested> requestReader = requests;
        TopicTail<ToolCallCompleted> resultReader = results;
        KafkaConsumer<byte[], byte[]> probe = offsets;
        if (requestReader == null || resultReader == null || probe == null) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> ends;
        try {
            List<TopicPartition> partitions = new java.util.ArrayList<>(requestReader
                    .partitions());
            partitions.addAll(resultReader.partitions());
            synchronized (probe) {
                ends = probe.endOffsets(partitions, timeout);
            }
        } catch (RuntimeException e) {
            log.warn("could not read the end offsets of {} and {}: {}", Topics.REQUESTS.name(),
                    Topics.REPLIES.name(), e.toString());
            return false;
        }
        while (!(requestReader.reached(ends) && resultReader.reached(ends))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Handles each record with its request ID (and trace context) in the logging MDC, so every
     * line logged about it, including a skipped record's warning, names the request.
     */
    static <V> Consumer<ConsumerRecord<String, V>> withRequestId(String reader,
            Consumer<ConsumerRecord<String, V>> handler) {
        return record -> {
            try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                try {
                    handler.accept(record);
                } catch (RuntimeException e) {
                    log.warn("{}: skipped record {}-{}@{}: {}", reader, record.topic(), record
                            .partition(), record.offset(), e.getMessage());
                }
            }
        };
    }

    private void onAgentToken(ConsumerRecord<String, AgentTokenChanged> record) {
        if (record.value() != null) {
            tokens.apply(record.value());
        }
    }

    private void onPolicy(ConsumerRecord<String, PolicyChanged> record) {
        PolicyChanged event = record.value();
        if (event == null) {
            return;
        }
        boolean carried = event.getGrants() != null && event.getPolicyVersion() != null;
        if (grants.offer(new PolicyGrants.InForce(event.getPolicyVersion(), event.getMeta()
                .getOccurredAt(), carried ? GrantEvents.fromEvent(event.getGrants()) : null))) {
            if (carried) {
                log.info("tools are listed per agent by policy {} ({} grants, from {})", event
                        .getPolicyVersion(), event.getGrants().size(), event.getSource());
            } else {
                log.info("every tool is listed: the newest policy event ({} from {}) does not "
                        + "carry its grants", event.getAction(), event.getSource());
            }
        }
    }

    private void onRequest(ConsumerRecord<String, ToolCallRequested> record) {
        ToolCallRequested event = record.value();
        if (event == null || event.getAgentId() == null || event.getEnvironment() == null) {
            return;
        }
        String requestId = TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID)
                .orElse(event.getMeta().getRequestId() != null
                        ? event.getMeta().getRequestId()
                        : record.key());
        if (requestId != null) {
            replies.requested(requestId, new AgentPrincipal(event.getEnvironment(), event
                    .getAgentId()));
        }
    }

    private void onResult(ConsumerRecord<String, ToolCallCompleted> record) {
        ToolCallCompleted event = record.value();
        if (event == null) {
            return;
        }
        String requestId = TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID)
                .orElse(event.getMeta().getRequestId() != null
                        ? event.getMeta().getRequestId()
                        : record.key());
        if (requestId == null) {
            return;
        }
        replies.complete(toReply(requestId, event));
    }

    static Reply toReply(String requestId, ToolCallCompleted event) {
        return new Reply(requestId, event.getAgentId(), event.getEnvironment(), event.getTool(),
                event.getStatus().name(),
                event.getErrorCode(), event.getRetryable(), event.getRetryAt(), event
                        .getMessage(),
                event.getResultJson(), event.getPolicyVersion(), event.getErrorDetailsJson());
    }

    /** This replica's partition of gateway.replies, once started. */
    public int replyPartition() {
        if (replyPartition < 0) {
            throw new IllegalStateException("the reply partition is not known before start-up");
        }
        return replyPartition;
    }

    /**
     * Whether the reader of gateway.agent-tokens is reading: while it is not (stopped, retrying
     * after a failure, or unheard from the broker for longer than
     * {@code tollgate.ingress.kafka-contact-bound}), revocations and rotations made through other
     * replicas do not reach this one, and no token is accepted.
     */
    public boolean tokenRecordsRead() {
        TopicTail<AgentTokenChanged> reader = agentTokens;
        return reader != null && reader.isRunning();
    }

    public boolean healthy() {
        return results != null && results.isRunning() && requests != null && requests
                .isRunning() && agentTokens != null && agentTokens.isRunning() && policy != null
                && policy.isRunning();
    }

    @Override
    public void stop() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (results != null) {
            results.close();
        }
        if (requests != null) {
            requests.close();
        }
        if (agentTokens != null) {
            agentTokens.close();
        }
        if (policy != null) {
            policy.close();
        }
        if (offsets != null) {
            synchronized (offsets) {
                offsets.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            }
        }
        results = null;
        requests = null;
        agentTokens = null;
        policy = null;
        offsets = null;
    }

    @Override
    public boolean isRunning() {
        return results != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
