package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure retention rules: classes, the policy's text, what is due, and the erased prefix. */
class PruneRulesTest {

    private static final Instant NOW = TestEvents.T0.plus(Duration.ofDays(100));

    @Test
    void everyCataloguedEventTypeHasAClassAndSourceResetsHaveNone() {
        List<String> unclassified = new ArrayList<>();

        for (var topic : Topics.audited()) { // what the sink stores
            String type = topic.valueType().getSimpleName();
            if (RecordClass.ofEventType(type).isEmpty()) {
                unclassified.add(type);
            }
        }

        assertThat(unclassified).isEmpty();
        assertThat(RecordClass.ofEventType("Undecodable")).contains(RecordClass.DEAD_LETTERS);
        assertThat(RecordClass.ofEventType(SourceResets.EVENT_TYPE)).isEmpty();
        assertThat(RecordClass.ofEventType("SomethingNew")).isEmpty();
    }

    @Test
    void everyClassIsKeptForeverUnlessConfigured() {
        RetentionPolicy policy = RetentionPolicy.parse(Map.of("refusals", "30d", "calls",
                "forever", "tokens", " "));

        assertThat(policy.retention(RecordClass.REFUSALS)).contains(Duration.ofDays(30));
        assertThat(policy.retention(RecordClass.CALLS)).isEmpty();
        assertThat(policy.retention(RecordClass.TOKENS)).isEmpty();
        assertThat(policy.retention(RecordClass.ADMIN)).isEmpty();
        assertThat(RetentionPolicy.keepForever().keepsEverything()).isTrue();
        assertThat(policy.describe()).isEqualTo(
                "calls=forever, refusals=P30D, tokens=forever, admin=forever, dead-letters=forever");
    }

    @Test
    void retentionsReadDaysHoursAndIsoDurations() {
        assertThat(RetentionPolicy.parseRetention("calls", "400d")).contains(Duration.ofDays(
                400));
        assertThat(RetentionPolicy.parseRetention("calls", "12h")).contains(Duration.ofHours(12));
        assertThat(RetentionPolicy.parseRetention("calls", "P90D")).contains(Duration.ofDays(90));
        assertThat(RetentionPolicy.parseRetention("calls", "pt36h")).contains(Duration.ofHours(
                36));
        assertThat(RetentionPolicy.format(Duration.ofDays(90))).isEqualTo("P90D");
        assertThat(RetentionPolicy.format(Duration.ofHours(36))).isEqualTo("PT36H");
    }

    @Test
    void aWrongRetentionOrClassNamesTheFix() {
        assertThatThrownBy(() -> RetentionPolicy.parse(Map.of("calls", "ninety days")))
                .hasMessageContaining("tollgate.audit.retention.calls=ninety days")
                .hasMessageContaining("400d");
        assertThatThrownBy(() -> RetentionPolicy.parse(Map.of("calls", "0d")))
                .hasMessageContaining("longer than zero");
        assertThatThrownBy(() -> RetentionPolicy.parse(Map.of("call", "30d")))
                .hasMessageContaining("'call' is not a record class").hasMessageContaining(
                        "calls, refusals, tokens, admin, dead-letters");
    }

    @Test
    void aRecordIsDueOnceTheLaterOfItsTwoTimesIsOlderThanItsRetention() {
        RetentionPolicy policy = RetentionPolicy.of(Map.of(RecordClass.CALLS, Duration.ofDays(
                90)));
        Instant occurred = NOW.minus(Duration.ofDays(91));

        Optional<Erasure> due = policy.due("ToolCallRequested", occurred, null, NOW);

        assertThat(due).contains(new Erasure(NOW, "calls", "P90D"));
        // a Kafka timestamp younger than the retention keeps it, whatever the producer's clock said
        assertThat(policy.due("ToolCallRequested", occurred, NOW.minus(Duration.ofDays(10)),
                NOW)).isEmpty();
        assertThat(policy.due("ToolCallRequested", NOW.minus(Duration.ofDays(89)), null, NOW))
                .isEmpty();
        assertThat(policy.due("AccessRefused", occurred, null, NOW)).isEmpty();
        assertThat(policy.due(SourceResets.EVENT_TYPE, occurred, null, NOW)).isEmpty();
    }

    @Test
    void pruningErasesAChainsOldestRecordsUpToTheFirstItKeeps() {
        Pruning pruning = new Pruning(RetentionPolicy.of(Map.of(RecordClass.CALLS, Duration
                .ofDays(90))), NOW);
        Pruning.Chain chain = pruning.chain("gateway.requests-0");
        Instant old = NOW.minus(Duration.ofDays(95));
        Instant young = NOW.minus(Duration.ofDays(5));
        Map<String, Boolean> decided = new LinkedHashMap<>();

        decided.put("1 erased before", chain.next("ToolCallRequested", old, null, true)
                .isPresent());
        decided.put("2 old", chain.next("ToolCallRequested", old, null, false).isPresent());
        decided.put("3 reset", chain.next(SourceResets.EVENT_TYPE, old, null, false)
                .isPresent());
        decided.put("4 old", chain.next("ToolCallRequested", old, null, false).isPresent());
        decided.put("5 young", chain.next("ToolCallRequested", young, null, false).isPresent());
        decided.put("6 old behind a young one", chain.next("ToolCallRequested", old, null, false)
                .isPresent());

        assertThat(decided).containsExactly(Map.entry("1 erased before", false), Map.entry(
                "2 old", true), Map.entry("3 reset", false), Map.entry("4 old", true),
                Map.entry(
                        "5 young", false),
                Map.entry("6 old behind a young one", false));
        assertThat(pruning.tallies().get(RecordClass.CALLS)).isEqualTo(new Pruning.Tally(2, 1, 2,
                1, old));
        assertThat(pruning.erased()).isEqualTo(2);
    }

    @Test
    void aTombstoneKeepsPlaceIdentityAndHashAndNothingElse() {
        AuditRecord record = AuditChainTest.link(TestEvents.entries("gateway.requests", 0, 1))
                .get(0);
        Erasure erasure = new Erasure(NOW, RecordClass.CALLS, Duration.ofDays(90));

        AuditRecord tombstone = Tombstones.erase(record, erasure);

        assertThat(tombstone.hash()).isEqualTo(record.hash());
        assertThat(tombstone.previousHash()).isEqualTo(record.previousHash());
        assertThat(tombstone.sequence()).isEqualTo(record.sequence());
        assertThat(tombstone.eventId()).isEqualTo(record.eventId());
        assertThat(tombstone.entry().eventType()).isEqualTo("ToolCallRequested");
        assertThat(tombstone.entry().occurredAt()).isEqualTo(record.entry().occurredAt());
        assertThat(tombstone.entry().source()).isEqualTo(record.entry().source());
        assertThat(Tombstones.contentLeft(tombstone.entry())).isEmpty();
        assertThat(record.entry().agentId()).isNotNull();
        assertThat(tombstone.entry().agentId()).isNull();
        assertThat(tombstone.entry().contextJson()).isEmpty();
        assertThat(tombstone.erasure()).isEqualTo(erasure);
        assertThatThrownBy(() -> Tombstones.erase(tombstone, erasure)).hasMessageContaining(
                "erased already");
    }

    @Test
    void aTombstonesLineReadsBackWithItsErasureAndKeptHash() {
        AuditRecord record = AuditChainTest.link(TestEvents.entries("gateway.requests", 0, 1))
                .get(0);
        AuditRecord tombstone = Tombstones.erase(record, new Erasure(NOW, RecordClass.CALLS,
                Duration.ofDays(90)));

        String line = CanonicalEncoding.jsonLine(tombstone);

        assertThat(line).contains("\"agentId\":null").contains("\"context\":\"\"").contains(
                "\"erasedAt\":\"2027-03-01T10:00:00.000Z\",\"erasedClass\":\"calls\","
                        + "\"erasedRetention\":\"P90D\",\"hash\":\"" + record.hash() + "\"}");
        assertThat(CanonicalEncoding.parseLine(line)).isEqualTo(tombstone);
        assertThatThrownBy(() -> CanonicalEncoding.parseLine(line.replace(
                ",\"erasedClass\":\"calls\"", ""))).hasMessageContaining("erasedClass");
    }
}
