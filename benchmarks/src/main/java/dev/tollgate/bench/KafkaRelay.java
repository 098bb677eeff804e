package dev.tollgate.bench;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Kafka floor under a gateway call's throughput and CPU: {@value #HOPS} hops relayed with
 * calls in flight, as a call travels (the ingress's request, the decision, the answer), by bare
 * clients on the system's broker — a producer and a consumer per hop, the request path's producer
 * settings (acks=all, idempotent, linger.ms=0), consumers that return as soon as a record comes,
 * no transaction, no logic. What it costs the clients and the broker per call, on the same
 * machine in the same run, is the least any design that carries each call over three Kafka hops
 * can spend here; the gateway's own figures are read against it. Transactional, the second hop is
 * the decision worker's ({@code DecisionLoop}, its defaults): it consumes in a consumer group,
 * gathers while busy (when this poll or the last transaction held more than one record, it polls
 * again for up to {@link #GATHER}), publishes the batch in one transaction with the consumed
 * offset (its producer retrying after {@link #TRANSACTION_RETRY_BACKOFF_MS} ms, not Kafka's
 * 100), and the third hop reads {@code read_committed} — what the transaction the gateway keeps
 * costs, measured the same way.
 *
 * <p>The clients run in this JVM on platform threads of their own; the broker's CPU is its
 * threads' ({@link ThreadComponents#BROKER}) in whichever measured process holds it.
 */
final class KafkaRelay {

    static final int HOPS = 3;
    private static final int PAYLOAD_BYTES = 512;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** The decision worker's default gathering while busy ({@code tollgate.decision.gather}). */
    static final Duration GATHER = Duration.ofMillis(5);
    /** The decision worker's transactional producer's {@code retry.backoff.ms}. */
    static final int TRANSACTION_RETRY_BACKOFF_MS = 10;

    private KafkaRelay() {
    }

    /**
     * The measured relay: its series, and per call the CPU of the relay's clients (this process,
     * less any broker threads it holds; {@code clientJitMillis} of it its JIT's), of the broker,
     * and of everything else the measured processes did meanwhile (their JIT and GC, the idle
     * roles' heartbeats and empty polls).
     */
    record Result(LatencyStats stats, double clientMillis, double clientJitMillis,
            double brokerMillis, double otherMillis, BrokerRequests.Delta broker,
            double recordsPerTransaction) {

        /** A relay without a transaction. */
        Result(LatencyStats stats, double clientMillis, double clientJitMillis,
                double brokerMillis, double otherMillis, BrokerRequests.Delta broker) {
            this(stats, clientMillis, clientJitMillis, brokerMillis, otherMillis, broker,
                    Double.NaN);
        }

        /**
         * The floor's CPU per call: the clients, less their JIT (compiling the relay is warm-up,
         * not a call's cost: left out, the floor is the lower), and the broker.
         */
        double floorMillis() {
            return clientsLessJitMillis() + brokerMillis;
        }

        /** The clients' CPU per call without their JIT's. */
        double clientsLessJitMillis() {
            return clientMillis - clientJitMillis;
        }

        String line() {
            return String.format(Locale.ROOT, "%d Kafka hops relayed, %s: CPU ms per call: the"
                    + " clients %.3f less their JIT %.3f + the broker %.3f = %.3f (the rest of the"
                    + " measured processes — their JIT, GC, idle roles — %.3f)%n", HOPS,
                    stats
                            .name(),
                    clientMillis, clientJitMillis, brokerMillis, floorMillis(), otherMillis)
                    + (Double.isNaN(recordsPerTransaction)
                            ? ""
                            : String.format(Locale.ROOT, "  %.2f calls per transaction%n",
                                    recordsPerTransaction))
                    + (broker == null
                            ? ""
                            : "  " + broker.lines().replace("\n", "\n  ").strip()
                                    + "\n");
        }

        ObjectNode json(JsonMapper mapper) {
            ObjectNode node = mapper.createObjectNode();
            node.set("series", mapper.readTree(stats.json()));
            node.put("hops", HOPS).put("client_cpu_ms_per_call", clientMillis).put(
                    "broker_cpu_ms_per_call", brokerMillis).put("client_jit_cpu_ms_per_call",
                            clientJitMillis)
                    .put("floor_cpu_ms_per_call",
                            floorMillis())
                    .put("other_cpu_ms_per_call", otherMillis);
            if (broker != null) {
                node.set("broker_per_call", broker.json(mapper));
            }
            if (!Double.isNaN(recordsPerTransaction)) {
                node.put("calls_per_transaction", recordsPerTransaction);
            }
            return node;
        }
    }

    /**
     * Relays {@code warmUp} calls, then measures {@code calls} at {@code inFlight}, on three new
     * single-partition topics {@code bench.relay.<uuid>.<hop>} deleted afterwards (and, with
     * {@code transactional}, the second hop's consumer group {@code bench.relay.<uuid>}).
     *
     * @param client the bootstrap address and whatever authentication the cluster needs: a
     *        principal that may create, write, read and delete the {@code bench.relay.*} topics
     * @param processes the processes whose CPU is counted: this one first, then the system's
     * @param brokerPid the JVM whose broker counters say the relay's requests, or 0 for none
     */
    static Result measure(Map<String, Object> client, int warmUp, int calls, int inFlight,
            boolean transactional, List<ProcessStats.Measured> processes, long brokerPid,
            PrintStream progress) throws Exception {
        String name = "bench.relay." + UUID.randomUUID();
        String prefix = name + ".";
        List<String> topics = new ArrayList<>();
        for (int hop = 1; hop <= HOPS; hop++) {
            topics.add(prefix + hop);
        }
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (Relay relay = new Relay(client, topics, transactional ? name : null)) {
            if (warmUp > 0) {
                Load.run("kafka relay warm-up", warmUp, inFlight, 0, slot -> relay::call,
                        progress);
            }
            var brokerBefore = brokerPid == 0 ? null : BrokerRequests.sample(brokerPid);
            var before = ProcessStats.sampleAll(processes);
            long transactionsBefore = relay.transactions.get();
            LatencyStats stats = Load.run(String.format(Locale.ROOT, "kafka relay, %d in flight%s",
                    inFlight, transactional ? ", txn" : ""), calls, inFlight, 0,
                    slot -> relay::call, progress);
            long transactions = relay.transactions.get() - transactionsBefore;
            List<ProcessStats.Usage> usages = ProcessStats.usages(processes, before,
                    ProcessStats.sampleAll(processes));
            BrokerRequests.Delta broker = brokerPid == 0 || stats.calls() == 0
                    ? null
                    : BrokerRequests.Sampled.between(brokerBefore, BrokerRequests.sample(
                            brokerPid), stats.calls());
            relay.failure().ifPresent(e -> {
                throw new IllegalStateException("the relay failed: " + e, e);
            });
            return result(stats, usages, ProcessHandle.current().pid(), broker,
                    !transactional || transactions == 0
                            ? Double.NaN
                            : (double) stats.calls() / transactions);
        } finally {
            try (Admin admin = Admin.create(client)) {
                admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
                if (transactional) {
                    admin.deleteConsumerGroups(List.of(name)).all().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * Splits the processes' CPU over the series: this process's (less its broker threads) is the
     * clients', every process's broker threads are the broker's, the rest is the others'.
     * {@code callsPerTransaction} is NaN for a relay without a transaction.
     */
    static Result result(LatencyStats stats, List<ProcessStats.Usage> usages, long self,
            BrokerRequests.Delta broker, double callsPerTransaction) {
        int calls = Math.max(1, stats.calls());
        double clients = 0;
        double clientJit = 0;
        double brokerMillis = 0;
        double other = 0;
        for (ProcessStats.Usage usage : usages) {
            double ofBroker = usage.componentMillis().getOrDefault(ThreadComponents.BROKER, 0.0);
            brokerMillis += ofBroker;
            if (usage.pid() == self) {
                clients += usage.cpuMillis() - ofBroker;
                clientJit += usage.componentMillis().getOrDefault(ThreadComponents.JIT, 0.0);
            } else {
                other += usage.cpuMillis() - ofBroker;
            }
        }
        return new Result(stats, clients / calls, clientJit / calls, brokerMillis / calls, other
                / calls, broker, callsPerTransaction);
    }

    /**
     * The relay: one producer per hop (the first shared by the callers), one consumer per hop on
     * a thread of its own that passes each record to the next hop, and the last completes the
     * call it carries. With a {@code group}, the second hop's producer is transactional: each
     * poll of the first hop's topic is published in one transaction with its consumed offset
     * (committed for that group), and the third hop reads {@code read_committed}.
     */
    private static final class Relay implements AutoCloseable {

        private final List<String> topics;
        private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Map<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicLong transactions = new AtomicLong();
        private final boolean transactional;
        private int lastBatch; // the transactional hop's thread only
        private final byte[] payload = new byte[PAYLOAD_BYTES];
        private volatile boolean running = true;

        Relay(Map<String, Object> client, List<String> topics, String group) {
            this.topics = topics;
            this.transactional = group != null;
            Map<String, Object> producerConfig = KafkaFloor.producerConfig(client);
            Map<String, Object> consumerConfig = KafkaFloor.consumerConfig(client);
            try {
                for (int hop = 0; hop < topics.size(); hop++) {
                    String topic = topics.get(hop);
                    Map<String, Object> producing = new HashMap<>(producerConfig);
                    Map<String, Object> consuming = new HashMap<>(consumerConfig);
                    if (transactional && hop == 1) {
                        producing.putAll(Map.of("transactional.id", group, "retry.backoff.ms",
                                TRANSACTION_RETRY_BACKOFF_MS));
                    }
                    if (transactional && hop == 0) {
                        consuming.putAll(Map.of("group.id", group, "enable.auto.commit", false));
                    }
                    if (transactional && hop == 1) {
                        consuming.put("isolation.level", "read_committed");
                    }
                    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producing,
                            new ByteArraySerializer(), new ByteArraySerializer());
                    producers.add(producer);
                    if (producing.containsKey("transactional.id")) {
                        producer.initTransactions();
                    }
                    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consuming,
                            new ByteArrayDeserializer(), new ByteArrayDeserializer());
                    consumers.add(consumer);
                    TopicPartition partition = new TopicPartition(topic, 0);
                    consumer.assign(List.of(partition));
                    consumer.seekToEnd(List.of(partition));
                    consumer.position(partition); // from the end, before any call is sent
                }
                for (int hop = 0; hop < topics.size(); hop++) {
                    int at = hop;
                    threads.add(Thread.ofPlatform().daemon().name("bench-relay-" + (hop + 1))
                            .start(() -> pass(at)));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** One call: its ID onto the first hop, then the wait for the last hop to bring it back. */
        boolean call() throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<Void> done = new CompletableFuture<>();
            pending.put(id, done);
            byte[] key = ByteBuffer.allocate(Long.BYTES).putLong(id).array();
            producers.getFirst().send(new ProducerRecord<>(topics.getFirst(), key, payload));
            try {
                done.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException e) {
                pending.remove(id);
                return false;
            }
        }

        private void pass(int hop) {
            KafkaConsumer<byte[], byte[]> consumer = consumers.get(hop);
            boolean last = hop == topics.size() - 1;
            try {
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (transactional && hop == 0) {
                        if (!records.isEmpty()) {
                            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                            records.forEach(batch::add);
                            if (lastBatch > 1 || batch.size() > 1) {
                                gather(consumer, batch);
                            }
                            lastBatch = batch.size();
                            inTransaction(consumer, batch);
                        }
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        if (last) {
                            CompletableFuture<Void> done = pending.remove(ByteBuffer.wrap(record
                                    .key()).getLong());
                            if (done != null) {
                                done.complete(null);
                            }
                        } else {
                            producers.get(hop + 1).send(new ProducerRecord<>(topics.get(hop + 1),
                                    record.key(), record.value()));
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        /** Polls again until a poll comes back empty or {@link #GATHER} is up. */
        private static void gather(KafkaConsumer<byte[], byte[]> consumer,
                List<ConsumerRecord<byte[], byte[]>> batch) {
            long deadline = System.nanoTime() + GATHER.toNanos();
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                ConsumerRecords<byte[], byte[]> more = consumer.poll(Duration.ofNanos(left));
                if (more.isEmpty()) {
                    return;
                }
                more.forEach(batch::add);
            }
        }

        /** The decision hop: the batch published in one transaction with its offset. */
        private void inTransaction(KafkaConsumer<byte[], byte[]> consumer,
                List<ConsumerRecord<byte[], byte[]>> records) {
            KafkaProducer<byte[], byte[]> producer = producers.get(1);
            producer.beginTransaction();
            long next = -1;
            for (ConsumerRecord<byte[], byte[]> record : records) {
                producer.send(new ProducerRecord<>(topics.get(1), record.key(), record.value()));
                next = record.offset() + 1;
            }
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(topics.getFirst(), 0),
                    new OffsetAndMetadata(next)), consumer.groupMetadata());
            producer.commitTransaction();
            transactions.incrementAndGet();
        }

        java.util.Optional<Exception> failure() {
            return java.util.Optional.ofNullable(failure.get());
        }

        @Override
        public void close() {
            running = false;
            consumers.forEach(KafkaConsumer::wakeup);
            for (Thread thread : threads) {
                try {
                    thread.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            consumers.forEach(KafkaConsumer::close);
            producers.forEach(producer -> producer.close(Duration.ofSeconds(5)));
        }
    }
}
