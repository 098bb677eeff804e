package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditSinkProperties;
import dev.tollgate.audit.AuditSinkTestAccess;
import dev.tollgate.audit.Await;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** A store that fails must delay audit records, never lose or double them. */
@WithKafka
class AuditListenerFaultTest {

    @TempDir
    Path dir;

    /** Fails the first appends: once after storing (the ack is lost), twice before storing. */
    private static final class FlakyStore implements AuditStore {
        private final AuditStore delegate;
        private final AtomicInteger calls = new AtomicInteger();

        FlakyStore(AuditStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public AppendResult append(AuditEntry entry) {
            return appendAll(List.of(entry)).get(0);
        }

        @Override
        public List<AppendResult> appendAll(List<AuditEntry> entries) {
            int call = calls.incrementAndGet();
            if (call == 1) {
                delegate.appendAll(entries);
                throw new AuditStoreException("connection lost after commit", null);
            }
            if (call <= 3) {
                throw new AuditStoreException("database unavailable", null);
            }
            return delegate.appendAll(entries);
        }

        @Override
        public List<ChainHead> heads() {
            return delegate.heads();
        }

        @Override
        public void readChain(String chainId, Consumer<AuditRecord> sink) {
            delegate.readChain(chainId, sink);
        }

        @Override
        public void readRange(Instant from, Instant to, Consumer<AuditRecord> sink) {
            delegate.readRange(from, to, sink);
        }

        @Override
        public Optional<AuditRecord> findByEventId(String eventId) {
            return delegate.findByEventId(eventId);
        }

        @Override
        public long count() {
            return delegate.count();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    void aFailingStoreDelaysRecordsButNeverLosesOrDoublesThem(KafkaTestBroker broker)
            throws Exception {
        String topic = KafkaTestBroker.uniqueName("gateway.requests");
        String group = KafkaTestBroker.uniqueName("audit-sink");
        broker.createTopics(1, topic);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(), new EventSerializer<>())) {
            for (int i = 0; i < 20; i++) {
                ToolCallRequested request = TestEvents.request("ev-" + i, "req-" + i, "agent-a",
                        "{}");
                // each send confirmed: the 20 events are in the topic, or the test stops here
                producer.send(new ProducerRecord<>(topic, "req-" + i, request)).get();
            }
        }
        FlakyStore store = new FlakyStore(EmbeddedAuditStore.open(dir));
        KafkaProperties kafka = new KafkaProperties();
        kafka.setBootstrapServers(List.of(broker.bootstrapServers()));
        kafka.getConsumer().setMaxPollRecords(6);
        AuditSinkProperties properties = new AuditSinkProperties("embedded", group, List.of(
                topic), 1, new AuditSinkProperties.Embedded(dir),
                new AuditSinkProperties.Postgres(
                        null, null, null, null, false, "tollgate_audit_writer",
                        "tollgate_audit_pruner", "tollgate_audit_readers",
                        java.time.Duration.ofSeconds(10)),
                new AuditSinkProperties.Checkpoints(null, dir.resolve("checkpoints.jsonl"),
                        java.time.Duration.ofMinutes(1)),
                new AuditSinkProperties.Retention(null, null, null, null, null));

        ConcurrentMessageListenerContainer<String, byte[]> container = AuditSinkTestAccess
                .listener(kafka, properties, new AuditIngest(new KafkaAuditMapper(), store));
        container.start();
        try {
            awaitCommitted(broker, group, new TopicPartition(topic, 0), 20, store);
        } finally {
            container.stop();
        }

        assertThat(store.calls.get()).isGreaterThan(3);
        List<AuditRecord> records = new ArrayList<>();
        store.readRange(null, null, records::add);
        assertThat(records).extracting(AuditRecord::eventId).hasSize(20).doesNotHaveDuplicates();
        assertThat(new StoreVerifier(Clock.systemUTC(), 100).verify(store,
                StoreVerifier.Progress.NONE).intact()).isTrue();
        store.close();
    }

    /** Waits until the group has committed {@code offset}, saying what it saw if it never does. */
    private static void awaitCommitted(KafkaTestBroker broker, String group,
            TopicPartition partition, long offset, FlakyStore store) throws Exception {
        try (Admin admin = broker.admin()) {
            Await.until("offset " + offset + " of " + partition + " committed by " + group,
                    () -> {
                        OffsetAndMetadata at = admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata().get().get(partition);
                        return "committed " + (at == null ? "nothing" : at.offset()) + ", "
                                + store.count() + " records stored in " + store.calls.get()
                                + " append calls";
                    }, seen -> seen.startsWith("committed " + offset + ","));
        }
    }
}
