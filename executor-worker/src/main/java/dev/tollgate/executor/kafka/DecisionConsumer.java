package dev.tollgate.executor.kafka;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.TollgateHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's Kafka adapter, one consumer of the decisions topic. Each polled batch is performed
 * concurrently on virtual threads (at most {@code max-in-flight} calls at once in this replica);
 * each answer is published to the reply route named in the headers (default: the results topic)
 * with the request ID and trace context as soon as its call finishes, after the token-mint events
 * it depends on are written. Once every answer of the batch is acknowledged by the broker, the
 * batch's offsets are committed, once. A replica that dies before the commit has the batch
 * redelivered to another; the completion record and the write markers make that safe.
 */
public final class DecisionConsumer implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionConsumer.class);

    /** Calls performed at once by a replica unless {@code tollgate.executor.max-in-flight} says. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    private static final Duration KEEP_ALIVE_EVERY = Duration.ofSeconds(1);

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
    private final MintPublisher mints;
    private final Semaphore inFlight;
    private final Topics topics;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual()
            .name("decision-call-", 0).factory());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Set<TopicPartition> assignment = Set.of();

    /**
     * A consumer with an executor of its own (tests; one replica = one consumer).
     *
     * @param consumerProperties bootstrap servers, group ID and the like (auto-commit is forced
     *        off)
     * @param producer an idempotent producer with acks=all, shared with the mint publisher
     * @param executorFactory builds the executor; it is given the mint publisher to use
     */
    public DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer,
            Function<java.util.function.Consumer<TokenMinted>, ToolCallExecutor> executorFactory,
            Topics topics) {
        this(consumerProperties, producer, new MintPublisher(producer, topics.tokenMints()),
                executorFactory, new Semaphore(DEFAULT_MAX_IN_FLIGHT), topics);
    }

    private DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer, MintPublisher mints,
            Function<java.util.function.Consumer<TokenMinted>, ToolCallExecutor> executorFactory,
            Semaphore inFlight, Topics topics) {
        this(consumerProperties, producer, executorFactory.apply(mints), mints, inFlight, topics);
    }

    /**
     * One of a replica's consumers, sharing its executor (so its token cache: a rebalance between
     * this replica's consumers never mints a scope again), its mint publisher and its bound.
     *
     * @param executor the replica's executor, whose token cache reports mints to {@code mints}
     * @param mints the replica's mint publisher
     * @param inFlight permits for calls performed at once, shared by the replica's consumers
     */
    public DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer, ToolCallExecutor executor,
            MintPublisher mints, Semaphore inFlight, Topics topics) {
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(20, inFlight
                .availablePermits()));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), PolicyDecided.class));
        this.producer = producer;
        this.topics = topics;
        this.mints = mints;
        this.inFlight = inFlight;
        this.executor = executor;
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
                ConsumerRecords<String, PolicyDecided> batch;
                try {
                    batch = consumer.poll(Duration.ofMillis(200));
                } catch (RecordDeserializationException bad) {
                    log.error("skipping undecodable decision at {} offset {}: {}", bad
                            .topicPartition(), bad.offset(), bad.getMessage());
                    consumer.seek(bad.topicPartition(), bad.offset() + 1);
                    continue;
                }
                if (batch.isEmpty()) {
                    continue;
                }
                try {
                    perform(batch);
                    consumer.commitSync(nextOffsets(batch));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Not committed: go back to the last commit so the batch comes again; its
                    // answered requests are answered again from the completion record.
                    log.error("a decision failed before its answer was published; its batch will"
                            + " be redelivered: {}", e.toString());
                    rewindToCommitted();
                    pause();
                } finally {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            // Whatever happened, nothing past the last commit counts as done: a redelivery follows.
            calls.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Performs every decision of the batch concurrently and returns once every answer is
     * acknowledged by the broker; throws if any is not (then nothing of the batch is committed).
     */
    private void perform(ConsumerRecords<String, PolicyDecided> batch) {
        List<Future<Future<RecordMetadata>>> performing = new ArrayList<>(batch.count());
        for (ConsumerRecord<String, PolicyDecided> record : batch) {
            performing.add(calls.submit(() -> {
                inFlight.acquire();
                try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                    return handle(record);
                } finally {
                    inFlight.release();
                }
            }));
        }
        RuntimeException failure = null;
        List<Future<RecordMetadata>> sends = new ArrayList<>(performing.size());
        for (Future<Future<RecordMetadata>> call : performing) {
            try {
                Future<RecordMetadata> send = await(call);
                if (send != null) {
                    sends.add(send);
                }
            } catch (RuntimeException e) { // wait for the others anyway: none is left running
                failure = failure == null ? e : failure;
            }
        }
        for (Future<RecordMetadata> send : sends) {
            try {
                await(send);
            } catch (RuntimeException e) {
                failure = failure == null
                        ? new IllegalStateException("cannot publish an answer",
                                e)
                        : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Waits for {@code future}, polling now and then (every partition paused, so nothing is
     * fetched) so that a batch of slow calls never exceeds {@code max.poll.interval.ms} and costs
     * this consumer its partitions.
     */
    private <T> T await(Future<T> future) {
        while (true) {
            try {
                return future.get(KEEP_ALIVE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                keepAlive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while performing decisions", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Error fatal) {
                    throw fatal; // as if on this thread: the consumer stops, nothing committed
                }
                throw cause instanceof RuntimeException runtime
                        ? runtime
                        : new IllegalStateException(cause);
            }
        }
    }

    private void keepAlive() {
        consumer.pause(consumer.assignment());
        ConsumerRecords<String, PolicyDecided> unexpected = consumer.poll(Duration.ZERO);
        // A partition assigned during this poll is not paused yet: give back what it fetched.
        for (TopicPartition partition : unexpected.partitions()) {
            consumer.seek(partition, unexpected.records(partition).get(0).offset());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
            ConsumerRecords<String, PolicyDecided> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : batch.partitions()) {
            List<ConsumerRecord<String, PolicyDecided>> records = batch.records(partition);
            offsets.put(partition, new OffsetAndMetadata(records.get(records.size() - 1)
                    .offset() + 1));
        }
        return offsets;
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

    /**
     * Performs one decision and sends its answer (after the mints it may depend on are
     * acknowledged); returns the answer's send, not yet acknowledged, or null when there is none.
     */
    private Future<RecordMetadata> handle(ConsumerRecord<String, PolicyDecided> record) {
        PolicyDecided decision = record.value();
        if (decision == null) {
            return null;
        }
        if (!decision.getAllowed()) {
            log.warn("ignoring a denied decision on {}: the decision worker answers denials",
                    topics.decisions());
            return null;
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
            mints.flush(); // the TokenMinted events this call may depend on are written first
            return producer.send(new ProducerRecord<>(replyTopic, partition, completed.getMeta()
                    .getRequestId(), completed, headers));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing an answer", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not committed: the decision is redelivered and its recorded answer published then.
            throw new IllegalStateException("cannot write the token mints before the answer to "
                    + replyTopic, e);
        }
    }

    /** Stops polling; the loop closes the consumer. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
