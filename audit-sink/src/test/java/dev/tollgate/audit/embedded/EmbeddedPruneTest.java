package dev.tollgate.audit.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.checkpoints.CheckpointKeys;
import dev.tollgate.audit.checkpoints.CheckpointWriter;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStore.AppendResult;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainBreak;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.CheckpointVerifier;
import dev.tollgate.audit.core.Erasure;
import dev.tollgate.audit.core.Pruning;
import dev.tollgate.audit.core.RecordClass;
import dev.tollgate.audit.core.RetentionPolicy;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.core.Tombstones;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning the embedded store end to end: the chain files are rewritten with tombstones, verify and
 * signed checkpoints still pass, the sink's store reopens and appends on, a dry run or a store in
 * use changes nothing, and a tombstone edited by hand afterwards fails verify.
 */
class EmbeddedPruneTest {

    private static final String TOPIC = "gateway.requests";
    private static final String CHAIN = "gateway.requests-0";
    private static final Instant NOW = TestEvents.T0.plus(Duration.ofDays(100));
    private static final RetentionPolicy CALLS_90_DAYS = RetentionPolicy.of(Map.of(
            RecordClass.CALLS, Duration.ofDays(90)));

    @TempDir
    Path dir;

    private Path chainFile;

    /** Five requests from 100 days ago and two from 5 days ago, in one chain. */
    @BeforeEach
    void store() {
        chainFile = dir.resolve("chains").resolve(CHAIN + ".jsonl");
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            store.appendAll(entries(0, 5, TestEvents.T0));
            store.appendAll(entries(5, 2, NOW.minus(Duration.ofDays(5))));
        }
    }

    @Test
    void pruneErasesTheRecordsPastRetentionAndVerifyStillPassesWithTheSameHeads()
            throws IOException {
        List<ChainHead> heads = heads();
        String before = Files.readString(chainFile);

        long erased = prune(false);

        assertThat(erased).isEqualTo(5);
        StoreVerifier.Result verified = verify(CALLS_90_DAYS);
        assertThat(verified.breaks()).isEmpty();
        assertThat(verified.tombstones()).isEqualTo(5);
        assertThat(verified.heads()).isEqualTo(heads);
        List<String> lines = Files.readAllLines(chainFile);
        assertThat(lines).hasSize(7);
        assertThat(lines.subList(0, 5)).allSatisfy(line -> assertThat(line).contains(
                "\"agentId\":null", "\"context\":\"\"", "\"erasedClass\":\"calls\"").doesNotContain(
                        "issue "));
        assertThat(before.lines().toList().subList(5, 7)).isEqualTo(lines.subList(5, 7));
        assertThat(before).contains("\"title\\\":\\\"issue 0");
        try (Stream<Path> files = Files.list(chainFile.getParent())) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(CHAIN
                    + ".jsonl");
        }
    }

    @Test
    void verifyWithoutTheRetentionPolicyRejectsThePrunedStore() {
        prune(false);

        StoreVerifier.Result verified = verify(RetentionPolicy.keepForever());

        assertThat(verified.breaks()).singleElement().satisfies(b -> {
            assertThat(b.kind()).isEqualTo(ChainBreak.Kind.INVALID_TOMBSTONE);
            assertThat(b.sequence()).isEqualTo(1);
        });
    }

    @Test
    void signedCheckpointsStillPassAfterPruning() {
        KeyPair keys = CheckpointKeys.generate();
        Path checkpoints = dir.resolve("checkpoints.jsonl");
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            new CheckpointWriter(store, keys.getPrivate(), checkpoints, Clock.fixed(NOW,
                    ZoneOffset.UTC)).checkpoint().orElseThrow();
        }

        prune(false);

        CheckpointVerifier signed = new CheckpointVerifier(CheckpointWriter.read(checkpoints), keys
                .getPublic());
        try (AuditStore store = EmbeddedAuditStore.openReadOnly(dir)) {
            new StoreVerifier(clock(), 100, CALLS_90_DAYS).verify(store,
                    StoreVerifier.Progress.NONE, signed.tap());
        }
        CheckpointVerifier.Result result = signed.finish();
        assertThat(result.findings()).isEmpty();
        assertThat(result.checkpoints()).isEqualTo(1);
    }

    @Test
    void theStoreReopensAfterPruningAppendsOnAndStillKnowsTheErasedEvents() {
        prune(false);

        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            List<AppendResult> again = store.appendAll(entries(0, 1, TestEvents.T0));
            List<AppendResult> more = store.appendAll(entries(7, 1, NOW));

            assertThat(again).singleElement().isInstanceOf(AppendResult.Duplicate.class);
            assertThat(again.get(0).record().erased()).isTrue();
            assertThat(more.get(0).record().sequence()).isEqualTo(8);
            assertThat(store.findByEventId(CHAIN + "-ev-2")).hasValueSatisfying(r -> assertThat(r
                    .erased()).isTrue());
        }
        StoreVerifier.Result verified = verify(CALLS_90_DAYS);
        assertThat(verified.breaks()).isEmpty();
        assertThat(verified.records()).isEqualTo(8);
        assertThat(verified.tombstones()).isEqualTo(5);
    }

    @Test
    void aSecondPruneErasesNothingMore() {
        prune(false);

        assertThat(prune(false)).isZero();
    }

    @Test
    void aDryRunCountsButChangesNothing() throws IOException {
        byte[] before = Files.readAllBytes(chainFile);

        long wouldErase = prune(true);

        assertThat(wouldErase).isEqualTo(5);
        assertThat(Files.readAllBytes(chainFile)).isEqualTo(before);
    }

    @Test
    void aPruneRefusesToStartWhileTheStoreIsOpenAndChangesNothing() throws IOException {
        byte[] before = Files.readAllBytes(chainFile);

        try (EmbeddedAuditStore sink = EmbeddedAuditStore.open(dir)) {
            assertThatThrownBy(() -> prune(false)).isInstanceOf(AuditStoreException.class)
                    .hasMessageContaining("is open (is the sink running?)").hasMessageContaining(
                            "nothing was changed");
        }

        assertThat(Files.readAllBytes(chainFile)).isEqualTo(before);
    }

    @Test
    void aLeftoverOfACrashedPruneIsIgnoredByTheStoreAndRemovedByTheNextPrune()
            throws IOException {
        Path leftover = chainFile.resolveSibling(CHAIN + ".jsonl.pruning");
        Files.writeString(leftover, "{\"half\":");

        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            assertThat(store.chainIds()).containsExactly(CHAIN);
        }
        prune(false);

        assertThat(leftover).doesNotExist();
        assertThat(verify(CALLS_90_DAYS).breaks()).isEmpty();
    }

    @Test
    void aTombstoneEditedByHandToCarryContentFailsVerify() throws IOException {
        prune(false);
        List<String> lines = new ArrayList<>(Files.readAllLines(chainFile));
        lines.set(1, lines.get(1).replace("\"agentId\":null", "\"agentId\":\"agent-9\""));
        Files.write(chainFile, lines);

        ChainBreak broken = verify(CALLS_90_DAYS).breaks().get(0);

        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(2);
        assertThat(broken.detail()).contains("still has agentId");
    }

    @Test
    void aTombstoneWhoseKeptHashWasEditedByHandBreaksTheNextLink() throws IOException {
        prune(false);
        List<String> lines = new ArrayList<>(Files.readAllLines(chainFile));
        String hash = hashOf(lines.get(2));
        lines.set(2, lines.get(2).replace(hash, "0".repeat(64)));
        Files.write(chainFile, lines);

        ChainBreak broken = verify(CALLS_90_DAYS).breaks().get(0);

        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.BROKEN_LINK);
        assertThat(broken.sequence()).isEqualTo(4);
    }

    @Test
    void aRecordTurnedIntoATombstoneByHandBeforeItsRetentionFailsVerify() throws IOException {
        prune(false);
        List<String> lines = new ArrayList<>(Files.readAllLines(chainFile));
        AuditRecord young = CanonicalEncoding.parseLine(lines.get(5));
        AuditRecord forged = Tombstones.erase(young,
                new Erasure(NOW, RecordClass.CALLS, Duration.ofDays(90)));
        lines.set(5, CanonicalEncoding.jsonLine(forged));
        Files.write(chainFile, lines);

        ChainBreak broken = verify(CALLS_90_DAYS).breaks().get(0);

        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(6);
        assertThat(broken.detail()).contains("before the retention it states").contains(
                "class calls is kept P90D");
    }

    private long prune(boolean dryRun) {
        return EmbeddedPruner.prune(dir, new Pruning(CALLS_90_DAYS, NOW), dryRun,
                StoreVerifier.Progress.NONE, 100);
    }

    private StoreVerifier.Result verify(RetentionPolicy policy) {
        try (AuditStore store = EmbeddedAuditStore.openReadOnly(dir)) {
            return new StoreVerifier(clock(), 100, policy).verify(store,
                    StoreVerifier.Progress.NONE);
        }
    }

    private static Clock clock() {
        return Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    }

    private List<ChainHead> heads() {
        try (AuditStore store = EmbeddedAuditStore.openReadOnly(dir)) {
            return store.heads();
        }
    }

    /** {@code count} requests from {@code first} on, at offsets 2i, occurring at {@code at}. */
    private static List<AuditEntry> entries(int first, int count, Instant at) {
        AuditEntries mapper = new AuditEntries();
        return IntStream.range(first, first + count).mapToObj(i -> mapper.from(TestEvents.request(
                CHAIN + "-ev-" + i, "req-" + i, "agent-" + i, "{\"title\":\"issue " + i + "\"}",
                at.plusSeconds(i)), new SourcePosition(TOPIC, 0, 2L * i, at.plusSeconds(i))))
                .toList();
    }

    /** A JSON Lines record's stored hash. */
    private static String hashOf(String line) {
        int at = line.lastIndexOf("\"hash\":\"") + 8;
        return line.substring(at, at + 64);
    }
}
