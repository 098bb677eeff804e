package dev.tollgate.audit.kafka;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.SourceResets;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Three gateway topics of a test (requests, decisions, results; two partitions each), the
 * sink's consumer group, and every event written into them: each send is waited for, so an event
 * the broker did not take fails the test where it was sent, and the test knows exactly which
 * events a store must end up with. {@link #seen} compares a store with that, for waits that say
 * what they saw.
 */
final class GatewayTopics {

    static final int PARTITIONS = 2;

    private final KafkaTestBroker broker;
    final String requests;
    final String decisions;
    final String results;
    final String group;
    /** The event IDs produced so far: what a store must hold, once each. */
    private final SortedSet<String> expected;

    GatewayTopics(KafkaTestBroker broker) {
        this(broker, KafkaTestBroker.uniqueName("gateway.requests"), KafkaTestBroker.uniqueName(
                "gateway.decisions"), KafkaTestBroker.uniqueName("gateway.results"),
                KafkaTestBroker.uniqueName("audit-sink"), new TreeSet<>());
    }

    private GatewayTopics(KafkaTestBroker broker, String requests, String decisions,
            String results, String group, SortedSet<String> expected) {
        this.broker = broker;
        this.requests = requests;
        this.decisions = decisions;
        this.results = results;
        this.group = group;
        this.expected = expected;
    }

    /**
     * The same topic names and group on {@code other} (another cluster), sharing what a store
     * must hold: the events produced here and there.
     */
    GatewayTopics on(KafkaTestBroker other) {
        return new GatewayTopics(other, requests, decisions, results, group, expected);
    }

    /** Creates the topics and waits until the broker serves every partition. */
    GatewayTopics create() throws Exception {
        broker.createTopics(PARTITIONS, requests, decisions, results);
        return this;
    }

    /** Deletes the topics and waits until the broker no longer lists them. */
    void delete() throws Exception {
        try (Admin admin = broker.admin()) {
            admin.deleteTopics(names()).all().get();
            dev.tollgate.audit.Await.until("topics " + names() + " deleted", () -> admin
                    .listTopics().names().get().stream().filter(names()::contains).sorted()
                    .toList(), List::isEmpty);
        }
    }

    List<String> names() {
        return List.of(requests, decisions, results);
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The ID of the cluster the topics are on. */
    String clusterId() throws Exception {
        try (Admin admin = broker.admin()) {
            return admin.describeCluster().clusterId().get();
        }
    }

    /**
     * Request, decision and result of calls {@code from} (inclusive) to {@code to}, call i by
     * agent-(i%2) with a secret in its arguments, at {@code at}. Event IDs carry {@code tag}, so a
     * second lifetime of the topics gets new events.
     */
    void produceCalls(String tag, int from, int to, Instant at, String argumentsSecret)
            throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerProps(),
                new StringSerializer(), new EventSerializer<>())) {
            for (int i = from; i < to; i++) {
                String requestId = "req-" + i;
                ToolCallRequested request = TestEvents.request(tag + "ev-req-" + i, requestId,
                        "agent-" + (i % 2), "{\"title\":\"t" + i + "\",\"body\":\""
                                + argumentsSecret + "\"}");
                send(producer, requests, requestId, tag + "ev-req-" + i, request, at);
                send(producer, decisions, requestId, tag + "ev-dec-" + i, TestEvents.decision(
                        tag + "ev-dec-" + i, request, i % 3 != 0), at);
                send(producer, results, requestId, tag + "ev-res-" + i, TestEvents.result(tag
                        + "ev-res-" + i, requestId, CallStatus.SUCCEEDED, null), at);
            }
        }
    }

    private void send(KafkaProducer<String, SpecificRecord> producer, String topic, String key,
            String eventId, SpecificRecord event, Instant at) throws Exception {
        // One at a time, each confirmed: nothing is in flight behind a failing send.
        producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), key, event)).get();
        expected.add(eventId);
    }

    /** Bytes that are no event; returns the undecodable record's (positional) event ID. */
    String produceRaw(String topic, String key, byte[] value, Instant at) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(),
                new StringSerializer(), new ByteArraySerializer())) {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, null, at
                    .toEpochMilli(), key, value)).get();
            String id = "undecodable:" + topic + "-" + written.partition() + "@" + written
                    .offset();
            expected.add(id);
            return id;
        }
    }

    private Map<String, Object> producerProps() {
        return broker.producerProps();
    }

    /**
     * What a store holds of the expected events, and how far the sink's group got.
     *
     * @param stored how many event records the store holds (source resets not counted)
     * @param missing expected events not stored
     * @param unexpected stored events never produced
     * @param twice events stored more than once
     * @param resets the source reset records, in chain order
     * @param committed the group's committed offsets
     * @param ends the topics' end offsets
     * @param group the group's state and members
     */
    record Seen(int stored, int expected, SortedSet<String> missing, SortedSet<String> unexpected,
            SortedSet<String> twice, List<String> resets, SortedMap<String, Long> committed,
            SortedMap<String, Long> ends, String group) {

        /** Every expected event stored once, nothing else. */
        boolean complete() {
            return missing.isEmpty() && unexpected.isEmpty() && twice.isEmpty();
        }

        /** Something no further waiting can mend. */
        boolean wrong() {
            return !unexpected.isEmpty() || !twice.isEmpty();
        }

        boolean committedToTheEnd() {
            Map<String, Long> nonEmpty = new HashMap<>(ends);
            nonEmpty.values().removeIf(offset -> offset == 0);
            return committed.equals(nonEmpty);
        }

        @Override
        public String toString() {
            return "stored " + stored + " of " + expected + " events; missing " + missing
                    + "; never produced " + unexpected + "; stored twice " + twice
                    + "; source resets " + resets + "; committed offsets " + committed
                    + " of end offsets " + ends + "; group " + group;
        }
    }

    /** A read-only view of the embedded store in {@code dir}; null while it does not exist. */
    static Supplier<AuditStore> embedded(Path dir) {
        return () -> Files.isDirectory(dir.resolve("chains"))
                ? EmbeddedAuditStore.openReadOnly(dir)
                : null;
    }

    /** Reads {@code store} (opened per call; null: no store yet) and the group's offsets. */
    Seen seen(Supplier<AuditStore> store) throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        AuditStore open = store.get();
        if (open != null) {
            try (open) {
                open.readRange(null, null, records::add);
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        List<String> resets = new ArrayList<>();
        for (AuditRecord record : records) {
            if (SourceResets.isReset(record)) {
                resets.add(record.describe());
            } else {
                counts.merge(record.eventId(), 1, Integer::sum);
            }
        }
        SortedSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(counts.keySet());
        SortedSet<String> unexpected = new TreeSet<>(counts.keySet());
        unexpected.removeAll(expected);
        SortedSet<String> twice = new TreeSet<>();
        counts.forEach((id, n) -> {
            if (n > 1) {
                twice.add(id);
            }
        });
        int stored = counts.values().stream().mapToInt(Integer::intValue).sum();
        try (Admin admin = broker.admin()) {
            return new Seen(stored, expected.size(), missing, unexpected, twice, resets, committed(
                    admin), ends(admin), group(admin));
        }
    }

    Set<String> expected() {
        return Set.copyOf(expected);
    }

    private SortedMap<String, Long> committed(Admin admin) throws Exception {
        SortedMap<String, Long> committed = new TreeMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        offsets.forEach((tp, om) -> {
            if (om != null && names().contains(tp.topic())) {
                committed.put(tp.toString(), om.offset());
            }
        });
        return committed;
    }

    private SortedMap<String, Long> ends(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String topic : names()) {
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        SortedMap<String, Long> ends = new TreeMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp.toString(), info
                .offset()));
        return ends;
    }

    private String group(Admin admin) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                .describedGroups().get(group).get();
        return description.groupState() + " with " + description.members().size()
                + " member(s)";
    }
}
