package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.events.CallStatus;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditIngestTest {

    @TempDir
    Path dir;

    private static ConsumerRecord<String, byte[]> record(String topic, SpecificRecord event) {
        return new ConsumerRecord<>(topic, 0, 0, "key", AvroSingleObjectCodec.shared().encode(
                event));
    }

    @Test
    void aDecoyAheadOfTheEventWhoseIdItTookIsCountedAndBothAreStored() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            AuditIngest ingest = new AuditIngest(new KafkaAuditMapper(), store, meters);
            // one poll: the decoy (same event ID) happens to come first
            List<ConsumerRecord<String, byte[]>> poll = List.of(record("gateway.refusals",
                    TestEvents.accessRefused("ev-x", "decoy")),
                    record("gateway.results",
                            TestEvents.result("ev-x", "req-1", CallStatus.DENIED, "denied")));

            AuditIngest.Outcome outcome = ingest.ingest(poll);
            AuditIngest.Outcome redelivered = ingest.ingest(poll);

            assertThat(outcome).isEqualTo(new AuditIngest.Outcome(2, 0, 1));
            assertThat(redelivered).isEqualTo(new AuditIngest.Outcome(0, 2, 0));
            assertThat(meters.counter(AuditIngest.CONFLICTS_METRIC, "topic", "gateway.results")
                    .count()).isEqualTo(1.0);
            List<AuditRecord> all = new ArrayList<>();
            store.readRange(null, null, all::add);
            assertThat(all).extracting(r -> r.entry().eventType() + " " + r.entry().outcome())
                    .containsExactlyInAnyOrder("AccessRefused null", "ToolCallCompleted DENIED");
        }
    }
}
