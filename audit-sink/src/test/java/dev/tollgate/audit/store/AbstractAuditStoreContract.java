package dev.tollgate.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStore.AppendResult;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainBreak;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.audit.core.SourceResets;
import dev.tollgate.audit.core.StoreVerifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The one contract every {@link AuditStore} passes: idempotent appends, chains that never fork,
 * recovery on reopen, and tampering (by someone with direct access to the storage) caught by
 * verify, naming the exact record.
 */
public abstract class AbstractAuditStoreContract {

    protected static final String TOPIC = "gateway.requests";
    protected static final String CHAIN = "gateway.requests-0";

    /** The store under test, empty at the start of each test. */
    protected abstract AuditStore store();

    /** Closes the store and opens it again on the same data; returns the new instance. */
    protected abstract AuditStore reopen();

    /** Another appender over the same data (another replica where the store allows it). */
    protected abstract AuditStore secondAppender();

    /** An attacker with storage access changes record {@code sequence}'s agent, hash untouched. */
    protected abstract void tamperEditAgent(String chainId, long sequence, String agent)
            throws Exception;

    /** An attacker removes record {@code sequence}. */
    protected abstract void tamperDelete(String chainId, long sequence) throws Exception;

    /** An attacker exchanges the positions of two records. */
    protected abstract void tamperSwap(String chainId, long a, long b) throws Exception;

    /**
     * An attacker inserts {@code forged} at its sequence, renumbering the records from there on.
     */
    protected abstract void tamperInsertForged(AuditRecord forged) throws Exception;

    private StoreVerifier.Result verify(AuditStore store) {
        return new StoreVerifier(Clock.systemUTC(), 1000).verify(store,
                StoreVerifier.Progress.NONE);
    }

    @Test
    void appendsLinkIntoOneChainPerTopicPartition() {
        List<AuditEntry> p0 = TestEvents.entries(TOPIC, 0, 4);
        List<AuditEntry> p1 = TestEvents.entries(TOPIC, 1, 3);
        List<AuditEntry> results = TestEvents.entries("gateway.results", 0, 2);

        List<AppendResult> appended = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            appended.add(store().append(p0.get(i)));
            if (i < 3) {
                appended.add(store().append(p1.get(i)));
            }
            if (i < 2) {
                appended.add(store().append(results.get(i)));
            }
        }

        assertThat(appended).allMatch(r -> r instanceof AppendResult.Appended);
        assertThat(store().count()).isEqualTo(9);
        assertThat(store().heads()).extracting(ChainHead::chainId, ChainHead::sequence)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gateway.requests-0", 4L),
                        org.assertj.core.groups.Tuple.tuple("gateway.requests-1", 3L),
                        org.assertj.core.groups.Tuple.tuple("gateway.results-0", 2L));
        List<AuditRecord> chain = readChain(store(), CHAIN);
        assertThat(chain).extracting(AuditRecord::sequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(chain.get(0).previousHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(chain.get(3).previousHash()).isEqualTo(chain.get(2).hash());
        assertThat(verify(store()).intact()).isTrue();
    }

    @Test
    void storedRecordsReadBackExactlyAsHashed() {
        AuditEntry entry = TestEvents.entries(TOPIC, 0, 1).get(0);

        AuditRecord appended = store().append(entry).record();
        AuditRecord read = readChain(store(), CHAIN).get(0);

        assertThat(read).isEqualTo(appended);
        assertThat(CanonicalEncoding.recomputeHash(read)).isEqualTo(read.hash());
        assertThat(store().findByEventId(entry.eventId())).contains(appended);
        assertThat(store().findByEventId("no-such-event")).isEmpty();
    }

    @Test
    void theSameChainsAsComputedInMemory() {
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 5);

        store().appendAll(entries);

        List<AuditRecord> expected = new ArrayList<>();
        java.util.Optional<ChainHead> head = java.util.Optional.empty();
        for (AuditEntry entry : entries) {
            AuditRecord record = AuditChain.append(head, entry);
            expected.add(record);
            head = java.util.Optional.of(AuditChain.headOf(record));
        }
        assertThat(readChain(store(), CHAIN)).isEqualTo(expected);
    }

    @Test
    void redeliveryNeverDuplicates() {
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 5);
        store().appendAll(entries);
        List<ChainHead> heads = store().heads();

        List<AppendResult> again = store().appendAll(entries);
        AppendResult one = store().append(entries.get(2));

        assertThat(again).allMatch(r -> r instanceof AppendResult.Duplicate);
        assertThat(one).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(one.record().sequence()).isEqualTo(3);
        assertThat(store().count()).isEqualTo(5);
        assertThat(store().heads()).isEqualTo(heads);
    }

    @Test
    void theSameEventAtAnotherOffsetIsStillADuplicate() {
        AuditEntry entry = TestEvents.entries(TOPIC, 0, 1).get(0);
        AuditEntry redelivered = new AuditEntry(entry.eventId(), entry.eventType(),
                new SourcePosition(TOPIC, 0, 99, null), entry.occurredAt(), entry.producer(), entry
                        .requestId(),
                entry.agentId(), entry.environment(), entry.action(), entry
                        .resource(),
                entry.repository(), null, null, null, null, null,
                entry.contextJson());
        store().append(entry);

        AppendResult result = store().append(redelivered);

        assertThat(result).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(result.record().sourceOffset()).isEqualTo(entry.source().offset());
        assertThat(store().count()).isEqualTo(1);
    }

    @Test
    void aDecoyUnderAnotherEventsIdDoesNotHideTheEventBothAreKeptAndTheConflictIsFlagged() {
        // A role that read event X on a topic writes a decoy under X first (the review's attack)
        AuditEntries mapper = new AuditEntries();
        AuditEntry decoy = mapper.from(TestEvents.accessRefused("ev-x", "decoy"),
                new SourcePosition("gateway.refusals", 0, 0, TestEvents.T0));
        AuditEntry genuine = mapper.from(TestEvents.result("ev-x", "req-1",
                dev.tollgate.events.CallStatus.DENIED, "denied"),
                new SourcePosition(
                        "gateway.results", 0, 0, TestEvents.T0));

        List<AppendResult> results = store().appendAll(List.of(decoy, genuine));
        AppendResult again = store().append(genuine);

        assertThat(results.get(0)).isInstanceOf(AppendResult.Appended.class);
        assertThat(results.get(1)).isInstanceOfSatisfying(AppendResult.Conflicting.class,
                conflict -> {
                    assertThat(conflict.held().eventId()).isEqualTo("ev-x");
                    assertThat(conflict.held().entry().source().topic()).isEqualTo(
                            "gateway.refusals");
                    assertThat(conflict.record().eventId()).startsWith("conflict:ev-x~");
                    assertThat(conflict.record().entry().eventType()).isEqualTo(
                            "ToolCallCompleted");
                    assertThat(conflict.record().entry().outcome()).isEqualTo("DENIED");
                });
        assertThat(again).as("its redelivery").isInstanceOf(AppendResult.Duplicate.class);
        assertThat(again.record().eventId()).isEqualTo(results.get(1).record().eventId());
        assertThat(store().count()).isEqualTo(2);
        assertThat(store().findByEventId(results.get(1).record().eventId())).isPresent();
        StoreVerifier.Result verified = verify(store());
        assertThat(verified.intact()).isTrue();
        assertThat(verified.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.eventId()).isEqualTo("ev-x");
            assertThat(conflict.held()).hasValueSatisfying(held -> assertThat(held.entry()
                    .eventType()).isEqualTo("AccessRefused"));
            assertThat(conflict.describe()).contains("gateway.refusals").contains(
                    "gateway.results").contains("ToolCallCompleted");
        });
    }

    @Test
    void anotherContentUnderAnEventIdOnTheSameTopicIsAConflictNotADuplicate() {
        AuditEntry entry = TestEvents.entries(TOPIC, 0, 1).get(0);
        AuditEntry other = new AuditEntry(entry.eventId(), entry.eventType(),
                new SourcePosition(TOPIC, 0, 99, null), entry.occurredAt(), entry.producer(), entry
                        .requestId(),
                "agent-mallory", entry.environment(), entry.action(), entry.resource(), entry
                        .repository(),
                null, null, null, null, null, entry.contextJson());
        store().append(entry);

        AppendResult result = store().append(other);

        assertThat(result).isInstanceOf(AppendResult.Conflicting.class);
        assertThat(store().count()).isEqualTo(2);
        assertThat(verify(store()).conflicts()).hasSize(1);
    }

    @Test
    void theSameEventSentAgainAtAnotherTimeOrByAnotherReplicaIsStillADuplicate() {
        AuditEntry entry = TestEvents.entries(TOPIC, 0, 1).get(0);
        AuditEntry resent = new AuditEntry(entry.eventId(), entry.eventType(),
                new SourcePosition(TOPIC, 1, 7, null), entry.occurredAt().plusSeconds(30), entry
                        .producer(),
                entry.requestId(), entry.agentId(), entry.environment(), entry.action(), entry
                        .resource(),
                entry.repository(), null, null, null, null, null, entry.contextJson().replace(
                        "\"producerInstance\":\"host-1\"", "\"producerInstance\":\"host-2\""));
        store().append(entry);

        AppendResult result = store().append(resent);

        assertThat(resent.contextJson()).contains("host-2");
        assertThat(result).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(store().count()).isEqualTo(1);
        assertThat(verify(store()).conflicts()).isEmpty();
    }

    @Test
    void aBatchWithARepeatedEventStoresItOnce() {
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 3);
        List<AuditEntry> batch = List.of(entries.get(0), entries.get(1), entries.get(0), entries
                .get(2));

        List<AppendResult> results = store().appendAll(batch);

        assertThat(results).extracting(r -> r.getClass().getSimpleName()).containsExactly(
                "Appended", "Appended", "Duplicate", "Appended");
        assertThat(store().count()).isEqualTo(3);
        assertThat(verify(store()).intact()).isTrue();
    }

    @Test
    void reopeningRecoversTheHeadsAndContinuesTheChains() {
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 6);
        store().appendAll(entries.subList(0, 4));
        List<ChainHead> before = store().heads();

        AuditStore reopened = reopen();
        List<ChainHead> recovered = reopened.heads();
        reopened.appendAll(entries.subList(2, 6));

        assertThat(recovered).isEqualTo(before);
        assertThat(reopened.count()).isEqualTo(6);
        assertThat(readChain(reopened, CHAIN)).extracting(AuditRecord::sequence).containsExactly(
                1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(verify(reopened).intact()).isTrue();
    }

    @Test
    void readsATimeRangeInOccurrenceOrder() {
        // entries(...) i occurs at T0 + i seconds
        store().appendAll(TestEvents.entries(TOPIC, 1, 5));
        store().appendAll(TestEvents.entries(TOPIC, 0, 5));

        List<AuditRecord> range = new ArrayList<>();
        store().readRange(TestEvents.T0.plusSeconds(1), TestEvents.T0.plusSeconds(3), range::add);

        assertThat(range).extracting(r -> r.chainId() + "#" + r.sequence()).containsExactly(
                "gateway.requests-0#2", "gateway.requests-1#2", "gateway.requests-0#3",
                "gateway.requests-1#3");
        List<AuditRecord> all = new ArrayList<>();
        store().readRange(null, null, all::add);
        assertThat(all).hasSize(10);
    }

    @Test
    void twoAppendersOnTheSameChainNeverForkIt() throws Exception {
        // Two replicas both working through the same partition (as during a rebalance): each
        // appends every event in Kafka order; the chain must come out once, in order, unforked.
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 60);
        AuditStore other = secondAppender();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Void> first = () -> {
                entries.forEach(store()::append);
                return null;
            };
            Callable<Void> second = () -> {
                for (int i = 0; i < 60; i += 7) {
                    other.appendAll(entries.subList(i, Math.min(60, i + 7)));
                }
                return null;
            };
            for (Future<Void> future : pool.invokeAll(List.of(first, second))) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        StoreVerifier.Result result = verify(store());
        assertThat(result.breaks()).isEmpty();
        assertThat(result.records()).isEqualTo(60);
        assertThat(readChain(store(), CHAIN)).extracting(AuditRecord::eventId)
                .containsExactlyElementsOf(
                        entries.stream().map(AuditEntry::eventId).toList());
    }

    @Test
    void anEditedFieldIsCaughtAsAHashMismatchNamingTheRecord() throws Exception {
        List<AppendResult> appended = store().appendAll(TestEvents.entries(TOPIC, 0, 6));

        tamperEditAgent(CHAIN, 4, "someone-else");

        ChainBreak broken = onlyBreak(verify(store()));
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.HASH_MISMATCH);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.eventId()).isEqualTo(appended.get(3).record().eventId());
    }

    @Test
    void aDeletedRecordIsCaughtAsAGap() throws Exception {
        List<AppendResult> appended = store().appendAll(TestEvents.entries(TOPIC, 0, 6));

        tamperDelete(CHAIN, 3);

        ChainBreak broken = onlyBreak(verify(store()));
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.GAP);
        assertThat(broken.sequence()).isEqualTo(4);
        assertThat(broken.eventId()).isEqualTo(appended.get(3).record().eventId());
        assertThat(broken.detail()).contains("sequence 3 is missing");
    }

    @Test
    void swappedRecordsAreCaughtAsAReorder() throws Exception {
        List<AppendResult> appended = store().appendAll(TestEvents.entries(TOPIC, 0, 6));

        tamperSwap(CHAIN, 2, 3);

        ChainBreak broken = onlyBreak(verify(store()));
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.REORDER);
        assertThat(broken.eventId()).isEqualTo(appended.get(2).record().eventId());
    }

    @Test
    void aForgedRecordIsCaughtAsAnInsertionNamingIt() throws Exception {
        List<AppendResult> appended = store().appendAll(TestEvents.entries(TOPIC, 0, 6));
        AuditRecord predecessor = appended.get(2).record();
        AuditEntry template = predecessor.entry();
        AuditEntry forgedEntry = new AuditEntry("forged-event", template.eventType(),
                new SourcePosition(TOPIC, 0, predecessor.sourceOffset() + 1, null), template
                        .occurredAt(),
                template.producer(), "req-forged", "mallory", template
                        .environment(),
                "delete_repo", template.resource(), template
                        .repository(),
                "ALLOWED", "trust me", null, null, null,
                template.contextJson());
        // The attacker knows the format and computes a valid hash linking to its predecessor.
        AuditRecord forged = new AuditRecord(forgedEntry, 4, predecessor.hash(), CanonicalEncoding
                .hash(forgedEntry, 4, predecessor.hash()));

        tamperInsertForged(forged);

        ChainBreak broken = onlyBreak(verify(store()));
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.FORGED_INSERTION);
        assertThat(broken.eventId()).isEqualTo("forged-event");
        assertThat(broken.sequence()).isEqualTo(4);
    }

    @Test
    void tamperingOneChainLeavesTheOthersVerified() throws Exception {
        store().appendAll(TestEvents.entries(TOPIC, 0, 4));
        store().appendAll(TestEvents.entries(TOPIC, 1, 4));

        tamperDelete(CHAIN, 2);

        StoreVerifier.Result result = verify(store());
        assertThat(result.intact()).isFalse();
        assertThat(result.chains()).filteredOn(c -> c.chainId().equals("gateway.requests-1"))
                .singleElement().matches(c -> c.intact());
    }

    // Source resets: the partition started over (new cluster, or offsets back at 0).

    private static final String CLUSTER_A = "clusterAAAAAAAAAAAAAAAA";
    private static final String CLUSTER_B = "clusterBBBBBBBBBBBBBBBB";

    @Test
    void aNewClusterIsRecordedAsASourceResetAndTheChainGoesOnIntact() {
        List<AuditEntry> before = TestEvents.entries(TOPIC, 0, 3, CLUSTER_A, "a");
        List<AuditEntry> after = TestEvents.entries(TOPIC, 0, 3, CLUSTER_B, "b");
        store().appendAll(before);

        List<AppendResult> results = store().appendAll(after.subList(0, 2));
        List<AppendResult> redelivered = reopen().appendAll(after.subList(0, 2));
        store().appendAll(after.subList(2, 3));

        assertThat(results).allMatch(r -> r instanceof AppendResult.Appended);
        assertThat(redelivered).allMatch(r -> r instanceof AppendResult.Duplicate);
        List<AuditRecord> chain = readChain(store(), CHAIN);
        assertThat(chain).extracting(AuditRecord::eventId).containsExactly("a-ev-0", "a-ev-1",
                "a-ev-2", "source-reset:" + CHAIN + "#4", "b-ev-0", "b-ev-1", "b-ev-2");
        assertThat(SourceResets.details(chain.get(3))).contains(new SourceResets.Details(
                SourceResets.Reason.CLUSTER_CHANGED, CLUSTER_A, CLUSTER_B, 4, 0));
        assertThat(store().findByEventId("source-reset:" + CHAIN + "#4")).contains(chain.get(3));
        StoreVerifier.Result verified = verify(store());
        assertThat(verified.breaks()).isEmpty();
        assertThat(verified.resets()).isEqualTo(1);
        assertThat(store().count()).isEqualTo(7);
    }

    @Test
    void offsetsGoingBackAreRecordedAsASourceResetAndTheChainGoesOnIntact() {
        store().appendAll(TestEvents.entries(TOPIC, 0, 3, CLUSTER_A, "a"));

        // the topic deleted and created again: the same cluster, offsets from 0 again
        store().appendAll(TestEvents.entries(TOPIC, 0, 2, CLUSTER_A, "recreated"));

        List<AuditRecord> chain = readChain(store(), CHAIN);
        assertThat(chain).hasSize(6);
        assertThat(SourceResets.details(chain.get(3))).contains(new SourceResets.Details(
                SourceResets.Reason.OFFSETS_WENT_BACK, CLUSTER_A, CLUSTER_A, 4, 0));
        assertThat(verify(store()).breaks()).isEmpty();
    }

    @Test
    void recordsStoredBeforeClustersWereRecordedAreContinuedWithoutAReset() {
        store().appendAll(TestEvents.entries(TOPIC, 0, 4, null, "a").subList(0, 2));

        reopen().appendAll(TestEvents.entries(TOPIC, 0, 4, CLUSTER_A, "a").subList(2, 4));

        List<AuditRecord> chain = readChain(store(), CHAIN);
        assertThat(chain).noneMatch(SourceResets::isReset);
        assertThat(chain).extracting(r -> r.entry().source().cluster()).containsExactly(null,
                null, CLUSTER_A, CLUSTER_A);
        assertThat(verify(store()).breaks()).isEmpty();
    }

    @Test
    void anUndecodableRecordAtAReusedPositionIsKeptUnderItsOwnId() {
        AuditEntries entries = new AuditEntries();
        SourcePosition zero = new SourcePosition(TOPIC, 0, 0, TestEvents.T0, CLUSTER_A);
        AuditEntry junk = entries.undecodable(zero, new byte[]{1, 2}, "not a readable event");
        AuditEntry otherJunk = entries.undecodable(zero, new byte[]{3}, "not a readable event");
        store().append(junk);

        AppendResult kept = store().append(otherJunk);
        AppendResult again = reopen().append(otherJunk);
        AppendResult first = store().append(junk);

        assertThat(kept).isInstanceOf(AppendResult.Appended.class);
        assertThat(kept.record().eventId()).startsWith(junk.eventId() + "~");
        assertThat(again).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(again.record()).isEqualTo(kept.record());
        assertThat(first).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(readChain(store(), CHAIN)).extracting(r -> r.entry().eventType())
                .containsExactly("Undecodable", "SourceReset", "Undecodable");
        assertThat(verify(store()).breaks()).isEmpty();
    }

    @Test
    void aDeletedSourceResetIsCaught() throws Exception {
        store().appendAll(TestEvents.entries(TOPIC, 0, 3, CLUSTER_A, "a"));
        store().appendAll(TestEvents.entries(TOPIC, 0, 2, CLUSTER_B, "b"));

        tamperDelete(CHAIN, 4);

        ChainBreak broken = onlyBreak(verify(store()));
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.GAP);
        assertThat(broken.sequence()).isEqualTo(5);
    }

    protected static ChainBreak onlyBreak(StoreVerifier.Result result) {
        assertThat(result.breaks()).hasSize(1);
        return result.breaks().get(0);
    }

    protected static List<AuditRecord> readChain(AuditStore store, String chainId) {
        List<AuditRecord> records = new ArrayList<>();
        store.readChain(chainId, records::add);
        return records;
    }

    protected static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
