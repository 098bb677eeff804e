package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.ChainBreak.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

    private static final String CHAIN = "gateway.requests-0";

    private final ChainVerifier verifier = new ChainVerifier();
    private final List<AuditRecord> chain = AuditChainTest.link(TestEvents.entries(
            "gateway.requests", 0, 8));

    @Test
    void anIntactChainPassesAndReportsItsHead() {
        ChainReport report = verifier.verify(CHAIN, chain);

        assertThat(report.intact()).isTrue();
        assertThat(report.records()).isEqualTo(8);
        assertThat(report.head()).contains(new ChainHead(CHAIN, 8, chain.get(7).hash()));
    }

    @Test
    void anEmptyChainIsIntactWithoutHead() {
        ChainReport report = verifier.verify(CHAIN, List.of());

        assertThat(report.intact()).isTrue();
        assertThat(report.head()).isEmpty();
    }

    @Test
    void anEditedFieldIsAHashMismatchAtThatRecord() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        AuditRecord victim = tampered.get(3);
        tampered.set(3, new AuditRecord(withAgent(victim.entry(), "someone-else"), victim
                .sequence(), victim.previousHash(), victim.hash()));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.HASH_MISMATCH);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.eventId()).isEqualTo(victim.eventId());
        assertThat(broken.describe()).contains("gateway.requests-0#4").contains("altered");
    }

    @Test
    void anEditedAndRehashedRecordBreaksTheNextLink() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        AuditRecord victim = tampered.get(3);
        AuditEntry edited = withAgent(victim.entry(), "someone-else");
        tampered.set(3, new AuditRecord(edited, 4, victim.previousHash(), CanonicalEncoding.hash(
                edited, 4, victim.previousHash())));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.BROKEN_LINK);
        assertThat(broken.sequence()).isEqualTo(5);
        assertThat(broken.detail()).contains("#4 was altered and re-hashed");
    }

    @Test
    void aDeletedRecordIsAGapNamedAtTheRecordAfterIt() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.remove(2);

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.GAP);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.detail()).contains("sequence 3 is missing");
    }

    @Test
    void severalDeletedRecordsAreOneGap() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.subList(1, 4).clear();

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.GAP);
        assertThat(broken.detail()).contains("sequences 2..4 are missing");
    }

    @Test
    void twoSwappedRecordsAreAReorder() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.set(2, chain.get(3));
        tampered.set(3, chain.get(2));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.REORDER);
        assertThat(broken.eventId()).isEqualTo(chain.get(3).eventId());
        assertThat(broken.detail()).contains("out of place");
    }

    @Test
    void swappedSequenceNumbersAreAReorder() {
        // What an attacker with UPDATE on the table would do: exchange the sequence columns.
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.set(2, withSequence(chain.get(2), 6));
        tampered.set(5, withSequence(chain.get(5), 3));
        tampered.sort(Comparator.comparingLong(AuditRecord::sequence));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.REORDER);
        assertThat(broken.sequence()).isEqualTo(3);
        assertThat(broken.eventId()).isEqualTo(chain.get(5).eventId());
    }

    @Test
    void aForgedRecordWithAValidHashInsertedMidChainIsNamed() {
        AuditRecord forged = forgedAfter(chain.get(2), 4);
        List<AuditRecord> tampered = new ArrayList<>(chain.subList(0, 3));
        tampered.add(forged);
        chain.subList(3, 8).forEach(r -> tampered.add(withSequence(r, r.sequence() + 1)));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.FORGED_INSERTION);
        assertThat(broken.eventId()).isEqualTo("forged");
        assertThat(broken.sequence()).isEqualTo(4);
    }

    @Test
    void aForgedRecordRepeatingASequenceIsNamedWhicheverComesFirst() {
        AuditRecord forged = forgedAfter(chain.get(2), 4);
        List<AuditRecord> before = new ArrayList<>(chain);
        before.add(3, forged);
        List<AuditRecord> after = new ArrayList<>(chain);
        after.add(4, forged);

        ChainBreak first = verifier.verify(CHAIN, before).firstBreak().orElseThrow();
        ChainBreak second = verifier.verify(CHAIN, after).firstBreak().orElseThrow();

        assertThat(first.kind()).isEqualTo(Kind.FORGED_INSERTION);
        assertThat(first.eventId()).isEqualTo("forged");
        assertThat(second.kind()).isEqualTo(Kind.FORGED_INSERTION);
        assertThat(second.eventId()).isEqualTo("forged");
    }

    @Test
    void aForgedRecordWithAWrongLinkIsNamed() {
        AuditRecord forged = forgedAfter(chain.get(0), 4);
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.add(3, forged);

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.FORGED_INSERTION);
        assertThat(broken.eventId()).isEqualTo("forged");
    }

    @Test
    void offsetsGoingBackwardsAreAReorderEvenWhenRehashed() {
        List<AuditRecord> tampered = new ArrayList<>(chain.subList(0, 2));
        AuditEntry moved = withOffset(chain.get(2).entry(), 0);
        AuditRecord rewritten = new AuditRecord(moved, 3, chain.get(1).hash(), CanonicalEncoding
                .hash(moved, 3, chain.get(1).hash()));
        tampered.add(rewritten);

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.REORDER);
        assertThat(broken.sequence()).isEqualTo(3);
    }

    @Test
    void aRecordOfAnotherChainIsNamed() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.add(AuditChainTest.link(TestEvents.entries("gateway.requests", 1, 1)).get(0));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.WRONG_CHAIN);
    }

    @Test
    void theReportedHeadIsTheStoredLastRecordEvenWhenBroken() {
        List<AuditRecord> tampered = new ArrayList<>(chain);
        tampered.remove(2);

        ChainReport report = verifier.verify(CHAIN, tampered);

        assertThat(report.records()).isEqualTo(7);
        assertThat(report.head()).contains(AuditChain.headOf(chain.get(7)));
    }

    @Test
    void aTruncatedChainVerifiesButItsHeadDiffers() {
        ChainReport report = verifier.verify(CHAIN, chain.subList(0, 6));

        assertThat(report.intact()).isTrue();
        assertThat(report.head().orElseThrow().hash()).isNotEqualTo(chain.get(7).hash());
    }

    private static AuditRecord forgedAfter(AuditRecord predecessor, long sequence) {
        AuditEntry entry = TestEvents.entries("gateway.requests", 0, 8).get(3);
        AuditEntry forgedEntry = new AuditEntry("forged", entry.eventType(), new SourcePosition(
                "gateway.requests", 0, predecessor.sourceOffset() + 1, null), entry.occurredAt(),
                entry.producer(), entry.requestId(), "mallory", entry.environment(), entry
                        .action(),
                entry.resource(), entry.repository(), "ALLOWED", null, null,
                null, null, entry.contextJson());
        return new AuditRecord(forgedEntry, sequence, predecessor.hash(), CanonicalEncoding.hash(
                forgedEntry, sequence, predecessor.hash()));
    }

    static AuditRecord withSequence(AuditRecord record, long sequence) {
        return new AuditRecord(record.entry(), sequence, record.previousHash(), record.hash());
    }

    static AuditEntry withAgent(AuditEntry e, String agent) {
        return new AuditEntry(e.eventId(), e.eventType(), e.source(), e.occurredAt(), e
                .producer(), e.requestId(), agent, e.environment(), e.action(), e.resource(),
                e
                        .repository(),
                e.decision(), e.reason(), e.policyVersion(), e.outcome(), e
                        .errorClass(),
                e.contextJson());
    }

    static AuditEntry withOffset(AuditEntry e, long offset) {
        return new AuditEntry(e.eventId(), e.eventType(), new SourcePosition(e.source().topic(), e
                .source().partition(), offset, e.source().timestamp(), e.source().cluster()), e
                        .occurredAt(),
                e
                        .producer(),
                e.requestId(), e.agentId(), e.environment(), e.action(), e
                        .resource(),
                e.repository(), e.decision(), e.reason(), e
                        .policyVersion(),
                e.outcome(), e.errorClass(), e
                        .contextJson());
    }
}
