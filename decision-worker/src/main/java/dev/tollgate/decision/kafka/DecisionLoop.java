package dev.tollgate.decision.kafka;

import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.decision.installations.InstallationGate;
import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.ReplyRoute;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.schemas.signing.DecisionSigner;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of {@code gateway.requests} and its transactional producer. Each polled batch is
 * decided and its outputs (allowed decisions to {@code gateway.decisions} keyed by routing key,
 * denials to the reply route the request names, poison records to {@code gateway.dead-letters})
 * are committed in one Kafka transaction together with the batch's consumer offsets: exactly once
 * within Kafka. A record that cannot be read, decided or published never blocks its partition: it
 * goes to the dead-letter topic with the reason. Every allowed decision is signed
 * ({@link DecisionSigner}) as the last step before it is published.
 */
public final class DecisionLoop implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionLoop.class);

    private final Map<String, Object> consumerProps;
    private final Map<String, Object> producerProps;
    private final Supplier<PolicyEngine> policy;
    private final EventTranslator translator;
    private final Duration pollTimeout;
    private final InstallationGate installations;
    private final String withoutGitHub;
    private final DecisionSigner signer;
    private final EventDeserializer<ToolCallRequested> deserializer = new EventDeserializer<>(
            dev.tollgate.schemas.AvroSingleObjectCodec.shared(), ToolCallRequested.class);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Timer committed = transactions("committed");
    private final Timer aborted = transactions("aborted");
    private final DistributionSummary batchSizes = DistributionSummary.builder(
            "tollgate.decision.batch.records").description(
                    "Requests decided per transaction (one polled batch)")
            .register(
                    Metrics.globalRegistry);
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Duration gather = Duration.ZERO;
    private int lastBatch;

    /**
     * @param consumerProps client settings (bootstrap servers, security); group ID included
     * @param producerProps client settings; {@code transactional.id} must be unique per loop
     * @param signer signs every allowed decision (the executor performs only signed ones)
     */
    public DecisionLoop(Map<String, Object> consumerProps, Map<String, Object> producerProps,
            Supplier<PolicyEngine> policy, EventTranslator translator, Duration pollTimeout,
            DecisionSigner signer) {
        this(consumerProps, producerProps, policy, translator, pollTimeout, InstallationGate
                .off(), signer);
    }

    /**
     * @param installations the installation registry's say on allowed decisions (after the
     *        policy): the installation ID and routing key, or a denial with its reason
     * @param signer signs every allowed decision, last, as it is published
     */
    public DecisionLoop(Map<String, Object> consumerProps, Map<String, Object> producerProps,
            Supplier<PolicyEngine> policy, EventTranslator translator, Duration pollTimeout,
            InstallationGate installations, DecisionSigner signer) {
        this(consumerProps, producerProps, policy, translator, pollTimeout, installations, signer,
                null);
    }

    /**
     * @param withoutGitHub why no executor will perform allowed calls (the standalone run's
     *        try-it mode, without a GitHub App): each allowed call is then answered at once,
     *        {@code github_not_configured}, instead of waiting for an executor; {@code null} when
     *        the GitHub App is configured
     */
    public DecisionLoop(Map<String, Object> consumerProps, Map<String, Object> producerProps,
            Supplier<PolicyEngine> policy, EventTranslator translator, Duration pollTimeout,
            InstallationGate installations, DecisionSigner signer, String withoutGitHub) {
        this.signer = java.util.Objects.requireNonNull(signer, "signer");
        this.installations = installations;
        this.withoutGitHub = withoutGitHub;
        this.consumerProps = new HashMap<>(consumerProps);
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerProps.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumerProps.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        this.consumerProps.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        if (!this.consumerProps.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
            throw new IllegalArgumentException("the decision loop needs a consumer group ID");
        }
        this.producerProps = new HashMap<>(producerProps);
        this.producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A transaction's offsets cannot be added until the broker has written the previous
        // transaction's commit markers: it answers CONCURRENT_TRANSACTIONS and the producer backs
        // off. The default first backoff (100 ms) stalled one batch in six under load; the markers
        // take a few milliseconds. The backoff still grows exponentially on real failures.
        this.producerProps.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        this.producerProps.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        this.producerProps.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        if (!this.producerProps.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
            throw new IllegalArgumentException("the decision loop needs a transactional.id");
        }
        this.policy = policy;
        this.translator = translator;
        this.pollTimeout = pollTimeout;
    }

    /**
     * While requests come more than one at a time (this poll or the last transaction held more
     * than one), a poll is followed by more polls for up to {@code wait}, until one comes back
     * empty, before the transaction begins: fewer, larger transactions, each of which costs the
     * broker its markers and an offset commit. A lone request (one in flight) never waits.
     */
    public DecisionLoop gatherFor(Duration wait) {
        this.gather = wait.isNegative() ? Duration.ZERO : wait;
        return this;
    }

    @Override
    public void run() {
        if (!running) {
            stopped.countDown();
            return;
        }
        try (KafkaConsumer<String, byte[]> kafkaConsumer = new KafkaConsumer<>(consumerProps,
                new StringDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                        producerProps, new StringSerializer(), new EventSerializer<>())) {
            consumer = kafkaConsumer;
            producer.initTransactions();
            kafkaConsumer.subscribe(List.of(Topics.REQUESTS.name()));
            while (running) {
                ConsumerRecords<String, byte[]> records = kafkaConsumer.poll(pollTimeout);
                if (!records.isEmpty()) {
                    List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                    records.forEach(batch::add);
                    gatherMore(kafkaConsumer, batch);
                    lastBatch = batch.size();
                    process(kafkaConsumer, producer, batch);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("decision loop woken up unexpectedly", e);
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            log.error("decision loop stopped: another instance took over its transactions ({})",
                    e.getMessage());
        } catch (AuthorizationException e) {
            log.error("decision loop stopped: Kafka refused access ({}); grant the decision"
                    + " worker read on gateway.requests and write on gateway.decisions,"
                    + " gateway.results and gateway.dead-letters", e.getMessage());
        } catch (RuntimeException e) {
            log.error("decision loop stopped", e);
        } finally {
            consumer = null;
            stopped.countDown();
        }
    }

    /**
     * Commits the batch in one transaction. If that fails, each record is retried in a
     * transaction of its own; a record whose outputs cannot be published (a decision too large for
     * the topic, say) is set aside as a dead letter, so it never blocks its partition. When even
     * that fails, Kafka itself is failing: the rest of the batch is read again later.
     */
    private void gatherMore(KafkaConsumer<String, byte[]> kafkaConsumer,
            List<ConsumerRecord<String, byte[]>> batch) {
        if (!gathers(gather, lastBatch, batch.size())) {
            return;
        }
        long deadline = System.nanoTime() + gather.toNanos();
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            ConsumerRecords<String, byte[]> more = kafkaConsumer.poll(Duration.ofNanos(left));
            if (more.isEmpty()) {
                return;
            }
            more.forEach(batch::add);
        }
    }

    /**
     * Whether to gather more before the transaction: only when gathering is on and requests come
     * more than one at a time (the last transaction's batch, or this poll); one request at a time
     * is never held.
     */
    static boolean gathers(Duration gather, int lastBatch, int polled) {
        return !gather.isZero() && (lastBatch > 1 || polled > 1);
    }

    private void process(KafkaConsumer<String, byte[]> kafkaConsumer,
            KafkaProducer<String, SpecificRecord> producer,
            List<ConsumerRecord<String, byte[]>> batch) {
        Optional<KafkaException> failed = transaction(kafkaConsumer, producer, batch,
                this::handle);
        if (failed.isEmpty()) {
            return;
        }
        log.warn("decision transaction for {} records failed ({}); retrying them one by one",
                batch.size(), failed.get().getMessage());
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<String, byte[]> record = batch.get(i);
            List<ConsumerRecord<String, byte[]>> one = List.of(record);
            Optional<KafkaException> alone = transaction(kafkaConsumer, producer, one,
                    this::handle);
            if (alone.isEmpty()) {
                continue;
            }
            String reason = "its outputs could not be published: " + alone.get().getMessage();
            Optional<KafkaException> asDeadLetter = transaction(kafkaConsumer, producer, one,
                    r -> List.of(deadLetter(r, requestIdOf(r), reason, true)));
            if (asDeadLetter.isPresent()) {
                asDeadLetter = transaction(kafkaConsumer, producer, one, r -> List.of(deadLetter(
                        r, requestIdOf(r), reason + " (payload left out)", false)));
            }
            if (asDeadLetter.isPresent()) {
                log.warn("Kafka is failing ({}); {} records will be read again", asDeadLetter
                        .get().getMessage(), batch.size() - i);
                rewind(kafkaConsumer, batch.subList(i, batch.size()));
                return;
            }
        }
    }

    /** One transaction: the handler's outputs for the records, and the records' offsets. */
    private Optional<KafkaException> transaction(KafkaConsumer<String, byte[]> kafkaConsumer,
            KafkaProducer<String, SpecificRecord> producer,
            List<ConsumerRecord<String, byte[]>> records,
            Function<ConsumerRecord<String, byte[]>, List<ProducerRecord<String, SpecificRecord>>> handler) {
        long started = System.nanoTime();
        producer.beginTransaction();
        try {
            for (ConsumerRecord<String, byte[]> record : records) {
                try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                    for (ProducerRecord<String, SpecificRecord> output : handler.apply(record)) {
                        producer.send(output);
                    }
                }
            }
            producer.sendOffsetsToTransaction(nextOffsets(records), kafkaConsumer
                    .groupMetadata());
            producer.commitTransaction();
            committed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            batchSizes.record(records.size());
            return Optional.empty();
        } catch (ProducerFencedException | InvalidProducerEpochException
                | AuthorizationException e) {
            throw e;
        } catch (KafkaException e) {
            aborted.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException | InvalidProducerEpochException
                    | AuthorizationException fatal) {
                throw fatal;
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            return Optional.of(e);
        }
    }

    private static Timer transactions(String outcome) {
        return Timer.builder("tollgate.decision.transactions").description(
                "Decision transactions, from begin to commit (or to the failure that aborted it)")
                .tag("outcome", outcome).publishPercentiles(0.5, 0.99).register(
                        Metrics.globalRegistry);
    }

    private static void rewind(KafkaConsumer<String, byte[]> kafkaConsumer,
            List<ConsumerRecord<String, byte[]>> unprocessed) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : unprocessed) {
            first.merge(new TopicPartition(record.topic(), record.partition()), record.offset(),
                    Math::min);
        }
        first.forEach(kafkaConsumer::seek);
    }

    private static String requestIdOf(ConsumerRecord<String, byte[]> record) {
        return TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID).orElse(record
                .key());
    }

    /** The records one request produces: a decision, a denial, or a dead letter. */
    List<ProducerRecord<String, SpecificRecord>> handle(ConsumerRecord<String, byte[]> record) {
        String requestId = requestIdOf(record);
        if (record.value() == null) {
            return List.of(deadLetter(record, requestId, "empty record: a request has a value",
                    true));
        }
        ToolCallRequested event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            return List.of(deadLetter(record, requestId, "cannot read a ToolCallRequested: " + e
                    .getMessage(), true));
        }
        try {
            PolicyEngine engine = policy.get();
            DecisionRequest request;
            try {
                request = translator.toDecisionRequest(event);
            } catch (IllegalArgumentException e) {
                return reply(record, event, translator.undecidable(event, e.getMessage(),
                        engine.policy().version()));
            }
            Decision decision = engine.decide(request);
            return switch (decision) {
                case Allowed allowed -> {
                    if (withoutGitHub != null) {
                        yield reply(record, event, translator.notPerformed(event,
                                allowed, withoutGitHub));
                    }
                    InstallationGate.Verdict verdict = installations.check(translator.decided(
                            event, allowed));
                    if (verdict instanceof InstallationGate.Refuse refused) {
                        yield reply(record, event, translator.notInstalled(event,
                                allowed, refused.reason()));
                    }
                    PolicyDecided decided = signer.sign(((InstallationGate.Pass) verdict)
                            .decided());
                    ProducerRecord<String, SpecificRecord> out = new ProducerRecord<>(
                            Topics.DECISIONS.name(), decided.getRoutingKey(), decided);
                    TollgateHeaders.propagate(record.headers(), out.headers());
                    yield List.of(out);
                }
                case Denied denied -> reply(record, event, translator.denied(event,
                        denied));
            };
        } catch (RuntimeException e) {
            log.error("request {} could not be decided; set aside as a dead letter", requestId,
                    e);
            return List.of(deadLetter(record, requestId, "could not be decided: " + e, true));
        }
    }

    /**
     * A final answer the decision worker gives itself, in the same transaction: the agent's copy
     * on its reply route ({@code gateway.replies}) and the audit's on {@code gateway.results}
     * (the same record: a refusal carries no content to digest).
     */
    private List<ProducerRecord<String, SpecificRecord>> reply(
            ConsumerRecord<String, byte[]> record, ToolCallRequested event,
            SpecificRecord answer) {
        Headers headers = record.headers();
        ReplyRoute route = ReplyRoute.of(headers, Topics.REPLIES.name());
        String key = event.getMeta() != null && event.getMeta().getRequestId() != null
                ? event.getMeta().getRequestId()
                : record.key();
        ProducerRecord<String, SpecificRecord> toAgent = new ProducerRecord<>(route.topic(),
                route.partition(), key, answer);
        TollgateHeaders.propagate(headers, toAgent.headers());
        ProducerRecord<String, SpecificRecord> kept = new ProducerRecord<>(Topics.RESULTS.name(),
                key, answer);
        TollgateHeaders.propagate(headers, kept.headers());
        return List.of(toAgent, kept);
    }

    private ProducerRecord<String, SpecificRecord> deadLetter(
            ConsumerRecord<String, byte[]> record, String requestId, String reason,
            boolean withPayload) {
        log.warn("dead letter from {}-{}@{}: {}", record.topic(), record.partition(), record
                .offset(), reason);
        ProducerRecord<String, SpecificRecord> out = new ProducerRecord<>(Topics.DEAD_LETTERS
                .name(), record.topic() + "-" + record.partition(),
                translator.deadLetter(
                        requestId, record.topic(), record.partition(), record.offset(), reason,
                        withPayload ? record.value() : null));
        TollgateHeaders.propagate(record.headers(), out.headers());
        return out;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
            List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            offsets.merge(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1), (a, b) -> a.offset() >= b
                            .offset() ? a : b);
        }
        return offsets;
    }

    /** Stops polling, finishes (commits or aborts) the batch in hand and closes the clients. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (!stopped.await(60, TimeUnit.SECONDS)) {
            log.warn("decision loop did not stop within 60 s");
        }
    }

    /** True once the loop has ended (closed, or stopped by an error). */
    public boolean isStopped() {
        return stopped.getCount() == 0;
    }
}
