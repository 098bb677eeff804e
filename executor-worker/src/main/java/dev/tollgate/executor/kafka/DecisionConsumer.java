package dev.tollgate.executor.kafka;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.TollgateHeaders;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's Kafka adapter, one consumer of the decisions topic: for each decision it performs
 * the call, publishes the answer to the reply route named in the headers (default: the results
 * topic) with the request ID and trace context, makes sure the token-mint events of the call are
 * written, and only then commits the decision's offset. A replica that dies before the commit has
 * its decision redelivered to another; the executor's at-most-once rules make that safe.
 */
public final class DecisionConsumer implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionConsumer.class);

    /** Topic names (configurable so tests can use their own). */
    public record Topics(String decisions, String results, String tokenMints) {
        public static Topics standard() {
            return new Topics(dev.tollgate.schemas.Topics.DECISIONS.name(),
                    dev.tollgate.schemas.Topics.RESULTS.name(),
                    dev.tollgate.schemas.Topics.TOKEN_MINTS
                            .name());
        }
    }

    private final KafkaConsumer<String, PolicyDecided> consumer;
    private final Producer<String, SpecificRecord> producer;
    private final ToolCallExecutor executor;
    private final Topics topics;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Set<TopicPartition> assignment = Set.of();
    private final java.util.Queue<TokenMinted> pendingMints = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * @param consumerProperties bootstrap servers, group ID and the like (auto-commit is forced
     *        off)
     * @param producer an idempotent producer with acks=all, shared with the mint publisher
     * @param executorFactory builds the executor; it is given the mint publisher to use
     */
    public DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer,
            Function<java.util.function.Consumer<TokenMinted>, ToolCallExecutor> executorFactory,
            Topics topics) {
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), PolicyDecided.class));
        this.producer = producer;
        this.topics = topics;
        this.executor = executorFactory.apply(this::publishMint);
    }

    /** Partitions this consumer owns now. */
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topics.decisions()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assignment = Set.of();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignment = Set.copyOf(consumer.assignment());
                }
            });
            while (running.get()) {
                try {
                    for (ConsumerRecord<String, PolicyDecided> record : consumer.poll(Duration
                            .ofMillis(200))) {
                        try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                            handle(record);
                        }
                        consumer.commitSync(Map.of(new TopicPartition(record.topic(), record
                                .partition()), new OffsetAndMetadata(record.offset() + 1)));
                    }
                } catch (RuntimeException e) {
                    if (e instanceof RecordDeserializationException bad) {
                        log.error("skipping undecodable decision at {} offset {}: {}", bad
                                .topicPartition(), bad.offset(), bad.getMessage());
                        consumer.seek(bad.topicPartition(), bad.offset() + 1);
                        continue;
                    }
                    if (e instanceof WakeupException) {
                        throw e;
                    }
                    // Not committed: go back to the last commit so the decision comes again.
                    log.error("a decision failed before its answer was published; it will be"
                            + " redelivered: {}", e.toString());
                    rewindToCommitted();
                    pause();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            // Whatever happened, nothing past the last commit counts as done: a redelivery follows.
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void rewindToCommitted() {
        Set<TopicPartition> owned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(owned);
        for (TopicPartition partition : owned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset != null) {
                consumer.seek(partition, offset);
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
        }
    }

    private void handle(ConsumerRecord<String, PolicyDecided> record) {
        PolicyDecided decision = record.value();
        if (decision == null) {
            return;
        }
        if (!decision.getAllowed()) {
            log.warn("ignoring a denied decision on {}: the decision worker answers denials",
                    topics.decisions());
            return;
        }
        ToolCallCompleted completed = executor.execute(decision);
        String replyTopic = TollgateHeaders.get(record.headers(), TollgateHeaders.REPLY_TOPIC)
                .orElse(topics.results());
        Integer partition = TollgateHeaders.getInt(record.headers(),
                TollgateHeaders.REPLY_PARTITION).orElse(null);
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.propagate(record.headers(), headers);
        TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, completed.getMeta()
                .getRequestId());
        try {
            writePendingMints(); // the TokenMinted events of this call are written before its answer
            producer.send(new ProducerRecord<>(replyTopic, partition, completed.getMeta()
                    .getRequestId(), completed, headers)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing an answer", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not committed: the decision is redelivered and its recorded answer published then.
            throw new IllegalStateException("cannot publish the answer to " + replyTopic, e);
        }
    }

    /** Called inside the mint: queue the event; it is written before the call's answer. */
    private void publishMint(TokenMinted event) {
        pendingMints.add(event);
    }

    /**
     * Writes every queued TokenMinted event and waits for the broker. An event that cannot be
     * written stays queued and the decision is not answered (nor committed) until it is: a mint is
     * never left out of the audit trail because the token is already cached.
     */
    private void writePendingMints() throws InterruptedException, ExecutionException,
            TimeoutException {
        TokenMinted event;
        while ((event = pendingMints.peek()) != null) {
            RecordHeaders headers = new RecordHeaders();
            TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, event.getMeta()
                    .getRequestId());
            producer.send(new ProducerRecord<>(topics.tokenMints(), null, Long.toString(event
                    .getInstallationId()), event, headers)).get(30, TimeUnit.SECONDS);
            pendingMints.poll();
        }
    }

    /** Stops polling; the loop closes the consumer. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
