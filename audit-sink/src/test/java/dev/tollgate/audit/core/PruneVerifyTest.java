package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.ChainBreak.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What verify makes of tombstones: a legitimate erasure passes and is counted; every way to forge
 * one (to erase early, erase what is kept forever, hide an edit, or keep content) fails, naming
 * the record and why.
 */
class PruneVerifyTest {

    private static final String CHAIN = "gateway.requests-0";
    private static final Duration NINETY_DAYS = Duration.ofDays(90);
    private static final Instant ERASED_AT = TestEvents.T0.plus(Duration.ofDays(100));
    private static final Instant NOW = ERASED_AT.plus(Duration.ofDays(1));
    private static final RetentionPolicy CALLS_90_DAYS = RetentionPolicy.of(Map.of(
            RecordClass.CALLS, NINETY_DAYS));
    private static final Erasure LEGITIMATE = new Erasure(ERASED_AT, RecordClass.CALLS,
            NINETY_DAYS);

    private final List<AuditRecord> chain = AuditChainTest.link(TestEvents.entries(
            "gateway.requests", 0, 8));

    @Test
    void aChainWhoseOldestRecordsWereErasedPassesAndCountsItsTombstones() {
        List<AuditRecord> pruned = erase(chain, 3, LEGITIMATE);

        ChainReport report = verifier(CALLS_90_DAYS).verify(CHAIN, pruned);

        assertThat(report.intact()).as(report.firstBreak().map(ChainBreak::describe).orElse(""))
                .isTrue();
        assertThat(report.tombstones()).isEqualTo(3);
        assertThat(report.records()).isEqualTo(8);
        assertThat(report.head()).contains(AuditChain.headOf(chain.get(7)));
    }

    @Test
    void aWholeChainOfTombstonesPassesWithItsOriginalHead() {
        List<AuditRecord> pruned = erase(chain, 8, LEGITIMATE);

        ChainReport report = verifier(CALLS_90_DAYS).verify(CHAIN, pruned);

        assertThat(report.intact()).isTrue();
        assertThat(report.tombstones()).isEqualTo(8);
        assertThat(report.head()).contains(AuditChain.headOf(chain.get(7)));
    }

    @Test
    void aVerifierWithoutARetentionPolicyAcceptsNoTombstone() {
        List<AuditRecord> pruned = erase(chain, 1, LEGITIMATE);

        ChainBreak broken = new ChainVerifier().verify(CHAIN, pruned).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(1);
        assertThat(broken.detail()).contains("class calls is kept forever").contains(
                "tollgate.audit.retention.calls");
    }

    @Test
    void aTombstoneWhoseKeptHashWasChangedBreaksTheNextLink() {
        List<AuditRecord> pruned = erase(chain, 3, LEGITIMATE);
        AuditRecord third = pruned.get(2);
        pruned.set(2, new AuditRecord(third.entry(), 3, third.previousHash(), "f".repeat(64),
                third.erasure()));

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.BROKEN_LINK);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.detail()).contains("#3, a tombstone, keeps").contains(
                "must keep the erased record's original hash");
    }

    @Test
    void aTombstoneWhosePreviousHashWasChangedBreaksItsOwnLink() {
        List<AuditRecord> pruned = erase(chain, 3, LEGITIMATE);
        AuditRecord second = pruned.get(1);
        pruned.set(1, new AuditRecord(second.entry(), 2, "e".repeat(64), second.hash(), second
                .erasure()));

        ChainReport report = verifier(CALLS_90_DAYS).verify(CHAIN, pruned);

        assertThat(report.intact()).isFalse();
        assertThat(report.firstBreak().orElseThrow().sequence()).isEqualTo(2);
    }

    @Test
    void aTombstoneErasedBeforeItsClassesRetentionFails() {
        Erasure early = new Erasure(TestEvents.T0.plus(Duration.ofDays(30)), RecordClass.CALLS,
                Duration.ofDays(1));
        List<AuditRecord> pruned = erase(chain, 1, early);

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.detail()).contains("it was erased 30d after 2026-11-21T10:00:00.000Z,"
                + " but class calls is kept P90D");
    }

    @Test
    void aTombstoneErasedBeforeTheRetentionItStatesFails() {
        Erasure early = new Erasure(TestEvents.T0.plus(Duration.ofDays(95)), RecordClass.CALLS,
                Duration.ofDays(365));
        List<AuditRecord> pruned = erase(chain, 1, early);

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.detail()).contains("before the retention it states (P365D)");
    }

    @Test
    void aTombstoneDatedInTheFutureToLookOldEnoughFails() {
        Erasure future = new Erasure(NOW.plus(Duration.ofDays(200)), RecordClass.CALLS,
                NINETY_DAYS);
        List<AuditRecord> pruned = erase(chain, 1, future);

        ChainBreak broken = new ChainVerifier(CALLS_90_DAYS, TestEvents.T0.plus(Duration.ofDays(
                10))).verify(CHAIN, pruned).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.detail()).contains("after this verification");
    }

    @Test
    void aTombstoneThatStatesAnotherClassFails() {
        Erasure wrongClass = new Erasure(ERASED_AT, "refusals", "P90D");
        List<AuditRecord> pruned = erase(chain, 1, wrongClass);

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.detail()).contains("it states class refusals, but a ToolCallRequested"
                + " record is in class calls");
    }

    @Test
    void aTombstoneThatStillCarriesContentFails() {
        List<AuditRecord> pruned = erase(chain, 2, LEGITIMATE);
        AuditRecord second = pruned.get(1);
        pruned.set(1, new AuditRecord(ChainVerifierTest.withAgent(second.entry(),
                "someone-else"), 2, second.previousHash(), second.hash(), second.erasure()));

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(2);
        assertThat(broken.detail()).contains("still has agentId");
    }

    /**
     * The attack a tombstone invites: edit a kept record and re-hash it, then erase the record
     * after it and point the tombstone's (uncheckable) previous hash at the new hash. Every link
     * holds, so only the rule that tombstones stand before every kept record catches it.
     */
    @Test
    void aTombstoneForgedToHideAnEditOfTheRecordBeforeItFails() {
        List<AuditRecord> forged = new ArrayList<>(chain);
        AuditRecord victim = forged.get(3);
        AuditEntry edited = ChainVerifierTest.withAgent(victim.entry(), "someone-else");
        String rehashed = CanonicalEncoding.hash(edited, 4, victim.previousHash());
        forged.set(3, new AuditRecord(edited, 4, victim.previousHash(), rehashed));
        AuditRecord next = Tombstones.erase(forged.get(4), LEGITIMATE);
        forged.set(4, new AuditRecord(next.entry(), 5, rehashed, next.hash(), next.erasure()));

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, forged).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(5);
        assertThat(broken.detail()).contains("it follows #4, which is kept intact");
    }

    @Test
    void aSourceResetMayStandAmongTombstonesButIsNeverOneItself() {
        List<AuditEntry> entries = new ArrayList<>(TestEvents.entries("gateway.requests", 0, 3,
                "cluster-a", "a"));
        entries.addAll(TestEvents.entries("gateway.requests", 0, 3, "cluster-b", "b"));
        List<AuditRecord> withReset = SourceResetsTest.store(entries);
        assertThat(SourceResets.isReset(withReset.get(3))).isTrue();
        List<AuditRecord> pruned = new ArrayList<>(withReset);
        for (int i : new int[]{0, 1, 2, 4}) {
            pruned.set(i, Tombstones.erase(withReset.get(i), LEGITIMATE));
        }

        ChainReport report = verifier(CALLS_90_DAYS).verify(CHAIN, pruned);

        assertThat(report.intact()).as(report.firstBreak().map(ChainBreak::describe).orElse(""))
                .isTrue();
        assertThat(report.tombstones()).isEqualTo(4);
        assertThat(report.resets()).hasSize(1);

        AuditRecord reset = withReset.get(3);
        AuditEntry kept = Tombstones.erase(withReset.get(0), LEGITIMATE).entry();
        AuditEntry resetKept = new AuditEntry(reset.eventId(), reset.entry().eventType(), reset
                .entry().source(), reset.entry().occurredAt(), null, null, null, null, null,
                null, null, null, null, null, null, null, kept.contextJson());
        pruned.set(3, new AuditRecord(resetKept, 4, reset.previousHash(), reset.hash(), new Erasure(
                ERASED_AT, "calls", "P90D")));

        ChainBreak broken = verifier(CALLS_90_DAYS).verify(CHAIN, pruned).firstBreak()
                .orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.detail()).contains("a SourceReset record is never erased");
    }

    @Test
    void anUndecodableTombstoneMustKeepItsPositionalEventId() {
        AuditEntries mapper = new AuditEntries();
        AuditEntry undecodable = mapper.undecodable(new SourcePosition("gateway.requests", 0, 0,
                TestEvents.T0), new byte[]{1, 2, 3}, "not Avro");
        List<AuditRecord> records = AuditChainTest.link(List.of(undecodable));
        Erasure deadLetters = new Erasure(ERASED_AT, RecordClass.DEAD_LETTERS, NINETY_DAYS);
        RetentionPolicy policy = RetentionPolicy.of(Map.of(RecordClass.DEAD_LETTERS,
                NINETY_DAYS));
        AuditRecord tombstone = Tombstones.erase(records.get(0), deadLetters);
        AuditRecord renamed = new AuditRecord(tombstone.entry().withEventId("6f1c-real-event"),
                1, tombstone.previousHash(), tombstone.hash(), deadLetters);

        ChainReport legitimate = verifier(policy).verify(CHAIN, List.of(tombstone));
        ChainReport forged = verifier(policy).verify(CHAIN, List.of(renamed));

        assertThat(legitimate.intact()).isTrue();
        assertThat(forged.firstBreak().orElseThrow().detail()).contains(
                "an Undecodable record's event ID is its position");
    }

    private static ChainVerifier verifier(RetentionPolicy policy) {
        return new ChainVerifier(policy, NOW);
    }

    /** {@code records} with the first {@code count} erased as {@code erasure} says. */
    private static List<AuditRecord> erase(List<AuditRecord> records, int count,
            Erasure erasure) {
        List<AuditRecord> out = new ArrayList<>(records);
        for (int i = 0; i < count; i++) {
            out.set(i, Tombstones.erase(records.get(i), erasure));
        }
        return out;
    }
}
