package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.ChainBreak.Kind;
import dev.tollgate.audit.core.SourceResets.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Source resets as the stores record them and as {@code verify} judges them: a new cluster or
 * offsets going back start a new source within the chain, with a record saying so; the chain
 * verifies and lists the reset; and nobody with write access to the store can use a reset to hide
 * an edit, a deletion or a reordering.
 */
class SourceResetsTest {

    private static final String TOPIC = "gateway.requests";
    private static final String CHAIN = "gateway.requests-0";
    private static final String A = "clusterAAAAAAAAAAAAAAAA";
    private static final String B = "clusterBBBBBBBBBBBBBBBB";

    private final ChainVerifier verifier = new ChainVerifier();

    /** Links entries as every store does: a reset first where the source was reset. */
    static List<AuditRecord> store(List<AuditEntry> entries) {
        List<AuditRecord> chain = new ArrayList<>();
        for (AuditEntry entry : entries) {
            Optional<ChainTip> tip = chain.isEmpty()
                    ? Optional.empty()
                    : Optional.of(ChainTip.of(chain.get(chain.size() - 1)));
            SourceResets.resetBefore(tip, entry).ifPresent(reset -> chain.add(AuditChain.append(
                    tip.map(ChainTip::head), reset)));
            Optional<ChainHead> head = Optional.of(chain).filter(c -> !c.isEmpty()).map(
                    c -> AuditChain.headOf(c.get(c.size() - 1)));
            chain.add(AuditChain.append(head, entry));
        }
        return chain;
    }

    private static List<AuditEntry> lifetime(String cluster, String name, int count) {
        return TestEvents.entries(TOPIC, 0, count, cluster, name);
    }

    private static List<AuditEntry> concat(List<AuditEntry> a, List<AuditEntry> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    @Test
    void aNewClusterIsRecordedBeforeItsFirstRecordNamingBothClusters() {
        List<AuditRecord> chain = store(concat(lifetime(A, "a", 3), lifetime(B, "b", 2)));

        ChainReport report = verifier.verify(CHAIN, chain);

        assertThat(chain).extracting(r -> r.entry().eventType()).containsExactly(
                "ToolCallRequested", "ToolCallRequested", "ToolCallRequested", "SourceReset",
                "ToolCallRequested", "ToolCallRequested");
        AuditRecord reset = chain.get(3);
        assertThat(reset.eventId()).isEqualTo("source-reset:gateway.requests-0#4");
        assertThat(reset.entry().action()).isEqualTo("source.reset");
        assertThat(reset.entry().reason()).contains("now read from Kafka cluster " + B).contains(
                "before from cluster " + A);
        assertThat(SourceResets.details(reset)).contains(new SourceResets.Details(
                Reason.CLUSTER_CHANGED, A, B, 4, 0));
        assertThat(report.intact()).as(report.toString()).isTrue();
        assertThat(report.resets()).singleElement().satisfies(noted -> {
            assertThat(noted.sequence()).isEqualTo(4);
            assertThat(noted.describe()).isEqualTo("#4 at 2026-11-21T10:00:00.000Z"
                    + " CLUSTER_CHANGED: cluster " + A + " -> " + B + ", offset 4 -> 0");
        });
    }

    @Test
    void offsetsGoingBackInTheSameClusterAreRecordedAsAReset() {
        List<AuditRecord> chain = store(concat(lifetime(A, "a", 3), lifetime(A, "recreated", 2)));

        ChainReport report = verifier.verify(CHAIN, chain);

        assertThat(SourceResets.details(chain.get(3))).contains(new SourceResets.Details(
                Reason.OFFSETS_WENT_BACK, A, A, 4, 0));
        assertThat(chain.get(3).entry().reason()).contains("offsets went back from 4 to 0");
        assertThat(report.intact()).as(report.toString()).isTrue();
        assertThat(report.resets()).hasSize(1);
    }

    @Test
    void offsetsGoingBackWithTheClusterUnknownAreRecordedToo() {
        List<AuditRecord> chain = store(concat(lifetime(null, "a", 3), lifetime(null, "b", 2)));

        assertThat(SourceResets.details(chain.get(3))).contains(new SourceResets.Details(
                Reason.OFFSETS_WENT_BACK, null, null, 4, 0));
        assertThat(verifier.verify(CHAIN, chain).intact()).isTrue();
    }

    @Test
    void aContinuingSourceNeedsNoReset() {
        List<AuditEntry> entries = lifetime(A, "a", 4);
        // records stored before clusters were recorded, then the same partition with its cluster
        List<AuditEntry> upgraded = concat(lifetime(null, "a", 4).subList(0, 2), entries.subList(
                2, 4));

        assertThat(store(entries)).noneMatch(SourceResets::isReset);
        assertThat(store(upgraded)).noneMatch(SourceResets::isReset);
        assertThat(verifier.verify(CHAIN, store(upgraded)).intact()).isTrue();
    }

    @Test
    void theRecordAfterItsOwnResetFollowsIt() {
        // The reset was stored but the record it was made for was not (a crash between them):
        // the redelivered record follows the reset at the same offset, with no second reset.
        List<AuditRecord> chain = store(concat(lifetime(A, "a", 3), lifetime(B, "b", 1)));
        AuditRecord reset = chain.get(3);
        AuditEntry again = chain.get(4).entry();

        Optional<AuditEntry> second = SourceResets.resetBefore(Optional.of(ChainTip.of(reset)),
                again);

        assertThat(second).isEmpty();
        assertThat(again.source().offset()).isEqualTo(reset.sourceOffset());
    }

    @Test
    void aRepeatedOffsetWithoutAResetBeforeItIsAReset() {
        AuditEntry first = lifetime(A, "a", 1).get(0);
        AuditEntry sameOffset = lifetime(A, "other", 1).get(0);

        Optional<AuditEntry> reset = SourceResets.resetBefore(Optional.of(ChainTip.of(AuditChain
                .append(Optional.empty(), first))), sameOffset);

        assertThat(reset).isPresent();
    }

    @Test
    void anUndecodableRecordIsTheSameOccurrenceOnlyWithTheSameContentAndCluster() {
        AuditEntries entries = new AuditEntries();
        SourcePosition at = new SourcePosition(TOPIC, 0, 5, TestEvents.T0, A);
        AuditEntry junk = entries.undecodable(at, new byte[]{1, 2, 3}, "not a readable event");
        AuditRecord stored = AuditChain.append(Optional.empty(), junk);
        AuditEntry otherBytes = entries.undecodable(at, new byte[]{9}, "not a readable event");
        AuditEntry otherCluster = entries.undecodable(new SourcePosition(TOPIC, 0, 5,
                TestEvents.T0, B), new byte[]{1, 2, 3}, "not a readable event");
        AuditEntry unknownCluster = entries.undecodable(new SourcePosition(TOPIC, 0, 5,
                TestEvents.T0), new byte[]{1, 2, 3}, "not a readable event");

        assertThat(SourceResets.sameOccurrence(stored, junk)).isTrue();
        assertThat(SourceResets.sameOccurrence(stored, unknownCluster)).isTrue();
        assertThat(SourceResets.sameOccurrence(stored, otherBytes)).isFalse();
        assertThat(SourceResets.sameOccurrence(stored, otherCluster)).isFalse();
        assertThat(SourceResets.distinct(otherBytes).eventId()).startsWith(junk.eventId() + "~")
                .isEqualTo(SourceResets.distinct(otherBytes).eventId()).isNotEqualTo(
                        SourceResets.distinct(otherCluster).eventId());
        // an event read again from another cluster (or offset) is the same event
        AuditEntry event = lifetime(A, "a", 1).get(0);
        assertThat(SourceResets.sameOccurrence(AuditChain.append(Optional.empty(), event),
                lifetime(B, "a", 1).get(0))).isTrue();
    }

    @Test
    void anEventIdIsTheSameOccurrenceOnlyOnTheSameTopicWithTheSameTypeAndContent() {
        AuditEntries entries = new AuditEntries();
        AuditEntry genuine = entries.from(TestEvents.result("ev-x", "req-1",
                dev.tollgate.events.CallStatus.DENIED, "denied"),
                new SourcePosition(
                        "gateway.results", 0, 3, TestEvents.T0, A));
        AuditRecord stored = AuditChain.append(Optional.empty(), genuine);
        AuditEntry otherTopic = entries.from(TestEvents.result("ev-x", "req-1",
                dev.tollgate.events.CallStatus.DENIED, "denied"),
                new SourcePosition(
                        "gateway.dead-letters", 0, 3, TestEvents.T0, A));
        AuditEntry otherType = entries.from(TestEvents.accessRefused("ev-x", "decoy"),
                new SourcePosition("gateway.results", 0, 4, TestEvents.T0, A));
        AuditEntry otherContent = entries.from(TestEvents.result("ev-x", "req-1",
                dev.tollgate.events.CallStatus.SUCCEEDED, null),
                new SourcePosition(
                        "gateway.results", 0, 3, TestEvents.T0, A));

        assertThat(SourceResets.sameOccurrence(stored, genuine)).isTrue();
        assertThat(SourceResets.sameOccurrence(stored, otherTopic)).isFalse();
        assertThat(SourceResets.sameOccurrence(stored, otherType)).isFalse();
        assertThat(SourceResets.sameOccurrence(stored, otherContent)).isFalse();
        assertThat(SourceResets.distinct(otherContent).eventId()).startsWith("conflict:ev-x~")
                .isEqualTo(SourceResets.distinct(otherContent).eventId()).isNotEqualTo(
                        SourceResets.distinct(otherTopic).eventId());
        assertThat(SourceResets.conflictedId(SourceResets.distinct(otherType).eventId()))
                .isEqualTo("ev-x");
    }

    @Test
    void anEventCannotTakeTheIdOfARecordTheSinkMakes() {
        assertThat(AuditEntries.eventId("6f1c0a2e-0000-4000-8000-000000000001")).isEqualTo(
                "6f1c0a2e-0000-4000-8000-000000000001");
        assertThat(AuditEntries.eventId("source-reset:gateway.requests-0#4")).isEqualTo(
                "event:source-reset:gateway.requests-0#4");
        assertThat(AuditEntries.eventId("undecodable:gateway.requests-0@5")).isEqualTo(
                "event:undecodable:gateway.requests-0@5");
        assertThat(AuditEntries.eventId("event:undecodable:gateway.requests-0@5")).isEqualTo(
                "event:event:undecodable:gateway.requests-0@5");
        assertThat(AuditEntries.eventId("conflict:6f1c~0123456789abcdef")).isEqualTo(
                "event:conflict:6f1c~0123456789abcdef");
    }

    // What verify says when the chain around a reset is not what the reset states.

    @Test
    void aNewClusterWithoutAResetIsAnUnrecordedReset() {
        List<AuditRecord> chain = AuditChainTest.link(concat(lifetime(A, "a", 3), lifetime(B,
                "b", 2)));

        ChainBreak broken = verifier.verify(CHAIN, chain).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.UNRECORDED_RESET);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.detail()).contains("cluster " + B).contains("cluster " + A);
    }

    @Test
    void offsetsGoingBackWithoutAResetAreAReorderAsBefore() {
        // What a sink without resets wrote after `--fresh`: BROKEN REORDER at the new offset 0.
        List<AuditRecord> chain = AuditChainTest.link(concat(lifetime(A, "a", 3), lifetime(A,
                "b", 2)));

        ChainBreak broken = verifier.verify(CHAIN, chain).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.REORDER);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.sourceOffset()).isZero();
        assertThat(broken.detail()).contains("no reset is recorded");
    }

    @Test
    void aResetInsertedWithoutRewritingTheRestIsAForgedInsertion() {
        List<AuditRecord> chain = store(concat(lifetime(A, "a", 3), lifetime(A, "b", 3)));
        // an attacker slips a correctly hashed "reset" in mid-chain (to excuse records moved
        // after it), but cannot make the record after it link to it without rewriting the rest
        List<AuditRecord> honest = store(lifetime(A, "a", 3));
        AuditEntry fake = SourceResets.resetBefore(Optional.of(ChainTip.of(honest.get(1))),
                lifetime(A, "x", 1).get(0)).orElseThrow();
        AuditRecord forged = AuditChain.append(Optional.of(AuditChain.headOf(honest.get(1))),
                fake);
        List<AuditRecord> tampered = new ArrayList<>(chain.subList(0, 2));
        tampered.add(forged);
        chain.subList(2, chain.size()).forEach(r -> tampered.add(ChainVerifierTest.withSequence(r,
                r.sequence() + 1)));

        ChainBreak broken = verifier.verify(CHAIN, tampered).firstBreak().orElseThrow();

        assertThat(broken.kind()).isIn(Kind.FORGED_INSERTION, Kind.BROKEN_LINK);
        assertThat(broken.sequence()).isEqualTo(3);
    }

    @Test
    void aDeletedResetIsCaughtEvenWhenEverythingAfterItIsRehashed() {
        List<AuditRecord> chain = store(concat(lifetime(A, "a", 3), lifetime(B, "b", 2)));
        // remove the reset and rewrite the suffix with recomputed hashes: the chain links, but
        // records of cluster B now follow records of cluster A with nothing in between
        List<AuditEntry> withoutReset = chain.stream().filter(r -> !SourceResets.isReset(r)).map(
                AuditRecord::entry).toList();

        ChainBreak broken = verifier.verify(CHAIN, AuditChainTest.link(withoutReset))
                .firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.UNRECORDED_RESET);
        assertThat(broken.sequence()).isEqualTo(4);
    }

    @Test
    void anEditedResetIsAHashMismatch() {
        List<AuditRecord> chain = new ArrayList<>(store(concat(lifetime(A, "a", 3), lifetime(B,
                "b", 2))));
        AuditRecord reset = chain.get(3);
        AuditEntry e = reset.entry();
        AuditEntry edited = new AuditEntry(e.eventId(), e.eventType(), e.source(), e.occurredAt(),
                e.producer(), e.requestId(), e.agentId(), e.environment(), e.action(), e
                        .resource(),
                e.repository(), e.decision(), "routine maintenance", e.policyVersion(), e
                        .outcome(),
                e.errorClass(), e.contextJson());
        chain.set(3, new AuditRecord(edited, reset.sequence(), reset.previousHash(), reset
                .hash()));

        ChainBreak broken = verifier.verify(CHAIN, chain).firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.HASH_MISMATCH);
        assertThat(broken.sequence()).isEqualTo(4);
    }

    @Test
    void aResetThatMisstatesItsNeighboursIsInvalidEvenWhenHashedAndLinked() {
        List<AuditEntry> first = lifetime(A, "a", 3);
        List<AuditEntry> second = lifetime(B, "b", 2);
        AuditEntry honest = store(concat(first, second)).get(3).entry();

        // each lie, correctly hashed and linked (a whole rewritten chain)
        assertThat(brokenWithReset(first, second, withContext(honest,
                "{\"reason\":\"CLUSTER_CHANGED\",\"previousCluster\":\"clusterCCCCCCCCCCCCCCCC\","
                        + "\"cluster\":\"" + B + "\",\"previousOffset\":4,\"offset\":0}")))
                .contains("it names cluster clusterCCCCCCCCCCCCCCCC before it");
        assertThat(brokenWithReset(first, second, withContext(honest,
                "{\"reason\":\"CLUSTER_CHANGED\",\"previousCluster\":\"" + A + "\",\"cluster\":\""
                        + B + "\",\"previousOffset\":2,\"offset\":0}")))
                .contains("it names offset 2 before it, #3 is at offset 4");
        assertThat(brokenWithReset(first, second, withContext(honest,
                "{\"reason\":\"OFFSETS_WENT_BACK\",\"previousCluster\":\"" + A + "\",\"cluster\":\""
                        + B + "\",\"previousOffset\":4,\"offset\":0}")))
                .contains("its reason OFFSETS_WENT_BACK is not true");
        assertThat(brokenWithReset(first, second, withContext(honest, "{\"reason\":\"TRUST_ME\"}")))
                .contains("its context is not a source reset's");
        // a reset that excuses nothing: same cluster, offsets still increasing
        List<AuditEntry> continuing = lifetime(A, "a", 5);
        AuditEntry needless = withContext(honest, "{\"reason\":\"OFFSETS_WENT_BACK\","
                + "\"previousCluster\":\"" + A + "\",\"cluster\":\"" + A
                + "\",\"previousOffset\":4,\"offset\":6}");
        assertThat(brokenWithReset(continuing.subList(0, 3), continuing.subList(3, 5), inCluster(
                withOffset(needless, 6), A))).contains("its reason OFFSETS_WENT_BACK is not true");
    }

    @Test
    void aResetCannotStartAChain() {
        AuditEntry reset = store(concat(lifetime(A, "a", 1), lifetime(B, "b", 1))).get(1).entry();

        ChainBreak broken = verifier.verify(CHAIN, AuditChainTest.link(List.of(reset)))
                .firstBreak().orElseThrow();

        assertThat(broken.kind()).isEqualTo(Kind.INVALID_RESET);
        assertThat(broken.detail()).contains("cannot start a chain");
    }

    @Test
    void aRewrittenSuffixWithAFakeResetVerifiesButIsListedAndChangesTheHead() {
        // What a hash chain alone cannot catch (README): a whole suffix rewritten. A fake reset
        // in it is listed by verify, and the head no longer matches a replay or archived head.
        List<AuditRecord> genuine = store(lifetime(A, "a", 6));
        List<AuditEntry> rewritten = new ArrayList<>(lifetime(A, "a", 6).subList(0, 3));
        rewritten.addAll(lifetime(A, "a", 6).subList(4, 6).stream().map(e -> withOffset(e, e
                .source().offset() - 6)).toList());

        ChainReport report = verifier.verify(CHAIN, store(rewritten));

        assertThat(report.intact()).isTrue();
        assertThat(report.resets()).singleElement().satisfies(r -> assertThat(r.details()
                .reason()).isEqualTo(Reason.OFFSETS_WENT_BACK));
        assertThat(report.head()).isNotEqualTo(verifier.verify(CHAIN, genuine).head());
    }

    private String brokenWithReset(List<AuditEntry> before, List<AuditEntry> after,
            AuditEntry reset) {
        List<AuditEntry> entries = new ArrayList<>(before);
        entries.add(reset);
        entries.addAll(after);
        ChainReport report = verifier.verify(CHAIN, AuditChainTest.link(entries));
        ChainBreak broken = report.firstBreak().orElseThrow(() -> new AssertionError(
                "expected a break: " + report));
        assertThat(broken.kind()).isEqualTo(Kind.INVALID_RESET);
        assertThat(broken.sequence()).isEqualTo(before.size() + 1);
        return broken.detail();
    }

    private static AuditEntry withContext(AuditEntry e, String context) {
        return new AuditEntry(e.eventId(), e.eventType(), e.source(), e.occurredAt(), e
                .producer(), e.requestId(), e.agentId(), e.environment(), e.action(),
                e
                        .resource(),
                e.repository(), e.decision(), e.reason(), e.policyVersion(), e.outcome(), e
                        .errorClass(),
                context);
    }

    private static AuditEntry withOffset(AuditEntry e, long offset) {
        return ChainVerifierTest.withOffset(e, offset);
    }

    private static AuditEntry inCluster(AuditEntry e, String cluster) {
        SourcePosition s = e.source();
        return new AuditEntry(e.eventId(), e.eventType(), new SourcePosition(s.topic(), s
                .partition(), s.offset(), s.timestamp(), cluster), e.occurredAt(), e.producer(),
                e.requestId(), e.agentId(), e.environment(), e.action(), e.resource(), e
                        .repository(),
                e.decision(), e.reason(), e.policyVersion(), e.outcome(), e.errorClass(), e
                        .contextJson());
    }
}
