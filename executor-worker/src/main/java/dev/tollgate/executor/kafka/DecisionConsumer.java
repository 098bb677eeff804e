package dev.tollgate.executor.kafka;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.runtime.proofs.ContentProofs;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.ReplyRoute;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.signing.DecisionVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's Kafka adapter, one consumer of the decisions topic. Decisions are performed
 * concurrently on virtual threads (at most {@code max-in-flight} calls at once in this replica)
 * while the consumer keeps polling; it pauses its partitions while that many of its decisions are
 * unanswered. Each answer is published on the reply route ({@link ReplyRoute}: the replies topic,
 * on the partition the waiting ingress replica reads) with the request ID and trace context as
 * soon as its call finishes, after the token-mint events it depends on are written; then its kept
 * copy, contents digested ({@link ContentProofs}), on the results topic the audit keeps forever. Per partition, the committed offset is the first
 * decision whose answer is not yet acknowledged by the broker. A replica that dies before a commit
 * has those decisions redelivered to another; the completion record and the write markers make
 * that safe. An answer Kafka will never take (too large, an invalid reply partition, a value that
 * cannot be serialized) is set aside instead of holding its partition: a dead letter says why,
 * the agent gets a small final answer, and the decision counts as answered, so it is neither
 * performed nor published again.
 * Only decisions signed by the decision worker are performed ({@link DecisionVerifier}); any
 * other is answered {@code forbidden} without touching GitHub.
 */
public final class DecisionConsumer implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecisionConsumer.class);

    /** Calls performed at once by a replica unless {@code tollgate.executor.max-in-flight} says. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    private static final Duration KEEP_ALIVE_EVERY = Duration.ofSeconds(1);
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    private static final Duration BUSY_POLL = Duration.ofMillis(5);
    /**
     * How often answered offsets are committed while consuming. Asynchronously: a synchronous
     * commit after every answered batch kept the loop from polling for one broker round trip plus
     * the group coordinator's write linger (5 ms), and every decision arriving meanwhile waited.
     */
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    /**
     * Topic names (configurable so tests can use their own).
     *
     * @param decisions what it performs
     * @param results where each answer's kept copy goes, contents digested
     * @param replies where each answer goes as its agent gets it
     * @param tokenMints where installation token mints are recorded
     * @param deadLetters where what cannot be published is set aside
     */
    public record Topics(String decisions, String results, String replies, String tokenMints,
            String deadLetters) {
        public static Topics standard() {
            return new Topics(dev.tollgate.schemas.Topics.DECISIONS.name(),
                    dev.tollgate.schemas.Topics.RESULTS.name(),
                    dev.tollgate.schemas.Topics.REPLIES.name(),
                    dev.tollgate.schemas.Topics.TOKEN_MINTS.name(),
                    dev.tollgate.schemas.Topics.DEAD_LETTERS.name());
        }

        /** With the standard dead-letter topic. */
        public Topics(String decisions, String results, String replies, String tokenMints) {
            this(decisions, results, replies, tokenMints, dev.tollgate.schemas.Topics.DEAD_LETTERS
                    .name());
        }
    }

    private final KafkaConsumer<String, PolicyDecided> consumer;
    private final Producer<String, SpecificRecord> producer;
    private final ToolCallExecutor executor;
    private final DecisionVerifier verifier;
    private final MintPublisher mints;
    private final Semaphore inFlight;
    private final Topics topics;
    private final Clock clock = Clock.systemUTC();
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(Thread.ofVirtual()
            .name("decision-call-", 0).factory());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Set<TopicPartition> assignment = Set.of();
    private final int maxOutstanding;
    private final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    // The consumer thread's own state (the rebalance listener runs on it too):
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private int outstanding;
    private long lastCommitNanos = System.nanoTime();
    private Throwable failure;
    private volatile boolean dying;

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
            Topics topics, DecisionVerifier verifier) {
        this(consumerProperties, producer, new MintPublisher(producer, topics.tokenMints()),
                executorFactory, new Semaphore(DEFAULT_MAX_IN_FLIGHT), topics, verifier);
    }

    private DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer, MintPublisher mints,
            Function<java.util.function.Consumer<TokenMinted>, ToolCallExecutor> executorFactory,
            Semaphore inFlight, Topics topics, DecisionVerifier verifier) {
        this(consumerProperties, producer, executorFactory.apply(mints), mints, inFlight, topics,
                verifier);
    }

    /**
     * One of a replica's consumers, sharing its executor (so its token cache: a rebalance between
     * this replica's consumers never mints a scope again), its mint publisher and its bound.
     *
     * @param executor the replica's executor, whose token cache reports mints to {@code mints}
     * @param mints the replica's mint publisher
     * @param inFlight permits for calls performed at once, shared by the replica's consumers
     * @param verifier the decision worker's keys: a decision whose signature they do not verify
     *        is answered {@code forbidden} and never performed
     */
    public DecisionConsumer(Map<String, Object> consumerProperties,
            Producer<String, SpecificRecord> producer, ToolCallExecutor executor,
            MintPublisher mints, Semaphore inFlight, Topics topics, DecisionVerifier verifier) {
        this.verifier = java.util.Objects.requireNonNull(verifier, "verifier");
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.maxOutstanding = Math.max(1, inFlight.availablePermits());
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxOutstanding);
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
                    if (!dying) { // let the calls of these partitions finish, commit what is done
                        finishAndCommit(partitions);
                    }
                    partitions.forEach(progress::remove);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    assignment = Set.of();
                    partitions.forEach(progress::remove); // another member owns them: no commit
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assignment = Set.copyOf(consumer.assignment());
                }
            });
            while (running.get()) {
                collect();
                if (failure == null && System.nanoTime() - lastCommitNanos >= COMMIT_EVERY
                        .toNanos()) {
                    commitProgressAsync();
                    lastCommitNanos = System.nanoTime();
                }
                if (failure != null) {
                    recover();
                    continue;
                }
                if (outstanding >= maxOutstanding) {
                    consumer.pause(consumer.assignment()); // at the bound: hold further records
                } else if (!consumer.paused().isEmpty()) {
                    consumer.resume(consumer.paused());
                }
                ConsumerRecords<String, PolicyDecided> records;
                try {
                    records = consumer.poll(outstanding > 0 ? BUSY_POLL : IDLE_POLL);
                } catch (RecordDeserializationException bad) {
                    log.error("skipping undecodable decision at {} offset {}: {}", bad
                            .topicPartition(), bad.offset(), bad.getMessage());
                    consumer.seek(bad.topicPartition(), bad.offset() + 1);
                    continue;
                }
                for (ConsumerRecord<String, PolicyDecided> record : records) {
                    dispatch(record);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (Error fatal) {
            dying = true;
            throw fatal;
        } finally {
            // Whatever happened, nothing past the last commit counts as done: a redelivery follows.
            // Closing revokes the partitions: on a stop, the calls in flight finish and are
            // committed first; a dying consumer commits nothing more.
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                calls.shutdownNow();
            }
        }
    }

    /** One call finished: its answer acknowledged (failure null) or not. */
    private record Done(TopicPartition partition, long offset, Throwable failure) {
    }

    /** A partition's offsets being performed; touched by the consumer thread only. */
    private static final class Progress {
        final TreeSet<Long> pending = new TreeSet<>();
        long next;
        long committed = -1;

        /** Every offset below this one is answered and acknowledged. */
        long committable() {
            return pending.isEmpty() ? next : pending.first();
        }
    }

    /** Starts performing one decision on a virtual thread. */
    private void dispatch(ConsumerRecord<String, PolicyDecided> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Progress state = progress.computeIfAbsent(partition, p -> new Progress());
        state.pending.add(record.offset());
        state.next = Math.max(state.next, record.offset() + 1);
        outstanding++;
        calls.execute(() -> {
            Throwable failed = null;
            try {
                inFlight.acquire();
                try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                    Reply reply = handle(record);
                    if (reply != null) {
                        publish(reply); // acknowledged before its offset counts as done
                    }
                } finally {
                    inFlight.release();
                }
            } catch (Throwable e) {
                failed = e;
            }
            done.add(new Done(partition, record.offset(), failed));
        });
    }

    /** Takes in the calls that finished; an Error (the process dying) is thrown here. */
    private void collect() {
        Done finished;
        while ((finished = done.poll()) != null) {
            apply(finished);
        }
    }

    private void apply(Done finished) {
        outstanding--;
        if (finished.failure() instanceof Error fatal) {
            dying = true;
            throw fatal; // as if on this thread: the consumer stops, nothing more committed
        }
        if (finished.failure() != null) {
            failure = failure == null ? finished.failure() : failure; // its offset stays pending
            return;
        }
        Progress state = progress.get(finished.partition());
        if (state != null) {
            state.pending.remove(finished.offset());
        }
    }

    /** Waits for every call in flight, polling now and then with every partition paused. */
    private void finishAll(boolean mayPoll) {
        while (outstanding > 0) {
            Done finished;
            try {
                finished = done.poll(KEEP_ALIVE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while performing decisions", e);
            }
            if (finished != null) {
                apply(finished);
            } else if (mayPoll) {
                keepAlive();
            }
        }
    }

    /** In the rebalance listener: the calls finish, then what they completed is committed. */
    private void finishAndCommit(Collection<TopicPartition> partitions) {
        finishAll(false);
        try {
            commitProgress(partitions);
        } catch (RuntimeException e) {
            log.warn("could not commit before giving up partitions {}; their uncommitted"
                    + " decisions will be redelivered: {}", partitions, e.toString());
        }
    }

    /**
     * Commits in the background, per partition, the offset below which every answer is
     * acknowledged. A commit that fails is not retried as such: the next one carries the same or
     * later offsets (a rebalance or close commits synchronously).
     */
    private void commitProgressAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committableOffsets(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                log.debug("offset commit failed, the next one carries these offsets: {}", error
                        .toString());
                return;
            }
            committed.forEach((partition, offset) -> {
                Progress state = progress.get(partition); // callbacks run on this thread
                if (state != null) {
                    state.committed = Math.max(state.committed, offset.offset());
                }
            });
        });
    }

    private Map<TopicPartition, OffsetAndMetadata> committableOffsets(
            Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Progress state = progress.get(partition);
            if (state != null && state.committable() > state.committed) {
                offsets.put(partition, new OffsetAndMetadata(state.committable()));
            }
        }
        return offsets;
    }

    /** Commits, per partition, the offset below which every answer is acknowledged. */
    private void commitProgress(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = committableOffsets(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            offsets.forEach((partition, offset) -> {
                Progress state = progress.get(partition);
                if (state != null) {
                    state.committed = offset.offset();
                }
            });
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
    }

    /**
     * A call or a commit failed: let the others finish, commit what is answered below the
     * failure, go back to the last commit and pause; the rest comes again and its answered
     * requests are answered again from the completion record.
     */
    private void recover() {
        log.error("a decision failed before its answer was published; it and the decisions after"
                + " it will be redelivered: {}", failure.toString());
        consumer.pause(consumer.assignment());
        finishAll(true);
        Throwable cause = failure;
        failure = null;
        commitProgress(progress.keySet());
        failure = null;
        progress.clear();
        rewindToCommitted();
        consumer.resume(consumer.paused());
        log.debug("recovered from {}", cause.toString());
        pause();
    }

    private void keepAlive() {
        consumer.pause(consumer.assignment());
        ConsumerRecords<String, PolicyDecided> unexpected = consumer.poll(Duration.ZERO);
        // A partition assigned during this poll is not paused yet: give back what it fetched.
        for (TopicPartition partition : unexpected.partitions()) {
            consumer.seek(partition, unexpected.records(partition).get(0).offset());
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

    /** An answer to publish, and the decision it answers. */
    private record Reply(ConsumerRecord<String, PolicyDecided> source,
            ToolCallCompleted completed, ProducerRecord<String, SpecificRecord> record) {
    }

    /**
     * Performs one decision and writes the mints it may depend on; returns its answer, not yet
     * sent, or null when there is none.
     */
    private Reply handle(ConsumerRecord<String, PolicyDecided> record) {
        PolicyDecided decision = record.value();
        if (decision == null) {
            return null;
        }
        java.util.Optional<String> forged = verifier.refusal(decision);
        if (forged.isPresent()) {
            return refuse(record, decision, forged.get());
        }
        if (!decision.getAllowed()) {
            log.warn("ignoring a denied decision on {}: the decision worker answers denials",
                    topics.decisions());
            return null;
        }
        ToolCallCompleted completed = executor.execute(decision);
        ReplyRoute route = ReplyRoute.of(record.headers(), topics.replies());
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.propagate(record.headers(), headers);
        TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, completed.getMeta()
                .getRequestId());
        try {
            mints.flush(); // the TokenMinted events this call may depend on are written first
            return new Reply(record, completed, new ProducerRecord<>(route.topic(), route
                    .partition(), completed.getMeta().getRequestId(), completed, headers));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing an answer", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not committed: the decision is redelivered and its recorded answer published then.
            throw new IllegalStateException("cannot write the token mints before the answer to "
                    + route.topic(), e);
        }
    }

    /**
     * Publishes an answer: the agent's copy and, sent right behind it so that both usually travel
     * in one produce request, the kept one (contents digested); then waits for both
     * acknowledgements. A failure that sending again could outlast (Kafka unreachable, a timeout)
     * is thrown, and the decision is redelivered and answered from the completion record (the
     * audit sink keeps an event ID once). An agent's copy Kafka never could take is set aside:
     * the agent gets a small answer instead, and that answer is kept too.
     */
    private void publish(Reply reply) throws InterruptedException {
        ProducerRecord<String, SpecificRecord> out = reply.record();
        if (out.partition() != null) {
            int partitions = producer.partitionsFor(out.topic()).size();
            if (out.partition() >= partitions) {
                await(reply, keep(reply, setAside(reply, "its reply partition " + out
                        .partition() + " does not exist (" + out.topic() + " has " + partitions
                        + " partitions)", false)));
                return;
            }
        }
        Future<RecordMetadata> send;
        try {
            send = producer.send(out);
        } catch (KafkaException e) {
            if (!Undeliverable.isPermanent(e)) {
                throw e;
            }
            await(reply, keep(reply, setAside(reply, describe(e), Undeliverable.tooLarge(e))));
            return;
        }
        Future<RecordMetadata> kept = keep(reply, reply.completed());
        try {
            send.get();
        } catch (ExecutionException e) {
            if (!Undeliverable.isPermanent(e.getCause())) {
                throw new IllegalStateException("cannot publish an answer", e.getCause());
            }
            await(reply, keep(reply, setAside(reply, describe(e.getCause()), Undeliverable
                    .tooLarge(e.getCause()))));
        }
        await(reply, kept);
    }

    /**
     * Sends the kept copy of {@code answer} to the results topic, contents digested (never a copy
     * of a file an agent read: {@link ContentProofs}), on the partition its request ID chooses;
     * null when Kafka can never take it (logged and set aside without its payload). A failure of
     * Kafka itself is thrown.
     */
    private Future<RecordMetadata> keep(Reply reply, ToolCallCompleted answer)
            throws InterruptedException {
        String requestId = reply.record().key();
        try {
            return producer.send(new ProducerRecord<>(topics.results(), null, requestId,
                    keptCopy(answer), reply.record().headers()));
        } catch (KafkaException e) {
            if (!Undeliverable.isPermanent(e)) {
                throw e;
            }
            keepFailed(reply, requestId, describe(e));
            return null;
        }
    }

    /** Waits for a kept copy's acknowledgement; one Kafka can never take is set aside. */
    private void await(Reply reply, Future<RecordMetadata> kept) throws InterruptedException {
        if (kept != null && !acknowledged(kept)) {
            keepFailed(reply, reply.record().key(), "Kafka refused it");
        }
    }

    /**
     * {@code answer} as it is kept: its result and error details with contents and large strings
     * digested ({@link ContentProofs}); a result that is not JSON is digested when large.
     */
    static ToolCallCompleted keptCopy(ToolCallCompleted answer) {
        return ToolCallCompleted.newBuilder(answer).setResultJson(ContentProofs.digestText(answer
                .getResultJson())).setErrorDetailsJson(ContentProofs.digestText(answer
                        .getErrorDetailsJson()))
                .build();
    }

    private void keepFailed(Reply reply, String requestId, String reason)
            throws InterruptedException {
        log.error("the kept copy of the answer to request {} cannot be published on {} ({}); a "
                + "dead letter records it", requestId, topics.results(), reason);
        if (!acknowledged(sendDeadLetter(reply, requestId, "its kept copy on "
                + topics.results() + " cannot be published: " + reason, false))) {
            log.error("not even a dead letter could be written for request {}", requestId);
        }
    }

    /**
     * An answer Kafka will never take: a dead letter says why (with the decision, if that fits),
     * and the agent gets a small final answer on its reply route (the key's partition when the
     * route's does not exist). Both acknowledged, the decision counts as answered. A failure of
     * Kafka itself meanwhile is thrown: the decision comes again and is set aside again, with the
     * same event IDs.
     */
    private ToolCallCompleted setAside(Reply reply, String reason, boolean tooLarge)
            throws InterruptedException {
        ProducerRecord<String, SpecificRecord> out = reply.record();
        String requestId = out.key();
        log.error("the answer to request {} cannot be published ({}); it is set aside on {} and"
                + " the agent is answered without it", requestId, reason, topics.deadLetters());
        ToolCallCompleted small = Undeliverable.answer(reply.completed(), requestId, reason,
                tooLarge, clock);
        Integer partition = out.partition() != null && out.partition() < producer.partitionsFor(
                out.topic()).size() ? out.partition() : null;
        Future<RecordMetadata> letter = sendDeadLetter(reply, requestId, reason, true);
        Future<RecordMetadata> answer = producer.send(new ProducerRecord<>(out.topic(), partition,
                requestId, small, out.headers()));
        if (!acknowledged(letter)) {
            if (!acknowledged(sendDeadLetter(reply, requestId, reason, false))) {
                log.error("not even a dead letter without its payload could be written for"
                        + " request {}", requestId);
            }
        }
        if (!acknowledged(answer)) {
            log.error("no final answer could be written for request {}: its agent gets none",
                    requestId);
        }
        return small;
    }

    private Future<RecordMetadata> sendDeadLetter(Reply reply, String requestId, String reason,
            boolean withPayload) {
        ConsumerRecord<String, PolicyDecided> source = reply.source();
        ProducerRecord<String, SpecificRecord> letter = new ProducerRecord<>(topics
                .deadLetters(), source.topic() + "-" + source.partition(),
                Undeliverable
                        .deadLetter(source, reply.completed(), requestId, reason, withPayload,
                                clock));
        TollgateHeaders.propagate(source.headers(), letter.headers());
        return producer.send(letter);
    }

    /**
     * Waits for a send: true when the broker took it, false when the record can never be taken;
     * Kafka's own failures are thrown.
     */
    private static boolean acknowledged(Future<RecordMetadata> send) throws InterruptedException {
        try {
            send.get();
            return true;
        } catch (ExecutionException e) {
            if (Undeliverable.isPermanent(e.getCause())) {
                return false;
            }
            throw new IllegalStateException("cannot set an unpublishable answer aside", e
                    .getCause());
        }
    }

    private static String describe(Throwable failure) {
        return "Kafka refused it: " + failure.getClass().getSimpleName() + ": " + failure
                .getMessage();
    }

    /**
     * A decision whose signature does not verify is never performed: its agent gets a final
     * {@code forbidden} answer on the reply route (published like any answer, so one Kafka will
     * not take is set aside too), and the decision (kept on the topic) and the answer reach the
     * audit store; the partition moves on. Null when there is no request to answer.
     */
    private Reply refuse(ConsumerRecord<String, PolicyDecided> record, PolicyDecided decision,
            String reason) {
        log.warn("refusing the decision at {}-{}@{}: {}", record.topic(), record.partition(),
                record.offset(), reason);
        java.util.Optional<ToolCallCompleted> answer = executor.refuse(decision, reason);
        if (answer.isEmpty()) {
            return null; // no request to answer: the record itself stays in the audit store
        }
        ReplyRoute route = ReplyRoute.of(record.headers(), topics.replies());
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.propagate(record.headers(), headers);
        String requestId = answer.get().getMeta().getRequestId();
        TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, requestId);
        return new Reply(record, answer.get(), new ProducerRecord<>(route.topic(), route
                .partition(), requestId, answer.get(), headers));
    }

    /** Stops polling; the loop closes the consumer. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
