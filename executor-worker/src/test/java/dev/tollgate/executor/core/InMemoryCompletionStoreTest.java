package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ToolCallCompleted;
import org.junit.jupiter.api.Test;

class InMemoryCompletionStoreTest extends CompletionStoreContract {

    private final InMemoryCompletionStore store = new InMemoryCompletionStore(2);

    @Override
    protected CompletionStore store() {
        return store;
    }

    @Test
    void forgetsTheOldestBeyondItsCapacity() {
        store.record(completed("a", "x"));
        store.record(completed("b", "x"));
        store.record(completed("c", "x"));

        assertThat(store.find("a")).isEmpty();
        assertThat(store.find("c")).isPresent();
    }

    @Test
    void forgetsTheOldestWhenTheAnswersOutgrowItsByteBound() {
        String body = "x".repeat(10_000);
        long one = InMemoryCompletionStore.sizeOf(completed("a", body));
        InMemoryCompletionStore bounded = new InMemoryCompletionStore(1_000, 3 * one);

        for (int i = 0; i < 10; i++) {
            bounded.record(completed("r" + i, body));
        }

        assertThat(bounded.size()).isEqualTo(3);
        assertThat(bounded.heldBytes()).isEqualTo(3 * one);
        assertThat(bounded.find("r6")).isEmpty();
        assertThat(bounded.find("r7")).isPresent();
        assertThat(bounded.find("r9")).isPresent();
    }

    @Test
    void alwaysHoldsTheNewestEvenWhenItAloneExceedsTheBound() {
        InMemoryCompletionStore tiny = new InMemoryCompletionStore(10, 1);

        tiny.record(completed("a", "x"));
        tiny.record(completed("b", "y"));

        assertThat(tiny.find("a")).isEmpty();
        assertThat(tiny.find("b")).isPresent();
        assertThat(tiny.size()).isEqualTo(1);
    }

    @Test
    void aRepeatedRequestKeepsTheFirstAnswerAndCountsItOnce() {
        InMemoryCompletionStore bounded = new InMemoryCompletionStore(10, Long.MAX_VALUE);

        bounded.record(completed("a", "first"));
        ToolCallCompleted kept = bounded.record(completed("a", "second"));

        assertThat(kept.getMessage()).isEqualTo("first");
        assertThat(bounded.size()).isEqualTo(1);
        assertThat(bounded.heldBytes()).isEqualTo(InMemoryCompletionStore.sizeOf(completed("a",
                "first")));
    }

    private static final java.time.Instant T0 = java.time.Instant.parse("2026-12-07T06:00:00Z");

    /** A write as the executor performs it: claimed, then answered. */
    private static void write(InMemoryCompletionStore store, String requestId,
            java.time.Instant decidedAt) {
        assertThat(store.claimWrite(requestId, decidedAt)).as(requestId).isEmpty();
        store.record(completed(requestId, "done"));
    }

    @Test
    void aWriteWhoseAnswerWasEvictedByTheByteBoundIsStillRefused() {
        InMemoryCompletionStore store = new InMemoryCompletionStore(1_000, 1); // holds one answer
        write(store, "w", T0);
        store.record(completed("read-1", "x"));
        store.record(completed("read-2", "x"));

        assertThat(store.find("w")).as("its answer is gone").isEmpty();
        assertThat(store.claimWrite("w", T0)).hasValueSatisfying(why -> assertThat(why)
                .contains("answered it already", "completion-cache-bytes"));
    }

    @Test
    void aWriteDecidedNoLaterThanAForgottenWriteIsRefusedANewerOneIsNot() {
        InMemoryCompletionStore store = new InMemoryCompletionStore(2);
        write(store, "w1", T0);
        write(store, "w2", T0.plusSeconds(10));
        write(store, "w3", T0.plusSeconds(20)); // w1's ID is forgotten: the horizon is T0

        assertThat(store.writesRemembered()).isEqualTo(2);
        assertThat(store.claimWrite("w1", T0)).as("the forgotten write, replayed")
                .hasValueSatisfying(why -> assertThat(why).contains("no later than",
                        "remembers the last 2", "completion-cache-size"));
        assertThat(store.claimWrite("older", T0.minusSeconds(60))).isPresent();
        assertThat(store.claimWrite("w2", T0.plusSeconds(10))).as("remembered").isPresent();
        assertThat(store.claimWrite("newer", T0.plusSeconds(1))).as("decided after every"
                + " forgotten write: it cannot be one of them").isEmpty();
    }

    @Test
    void aClaimWhoseCallDiedBeforeItsAnswerDoesNotRefuseTheNextDelivery() {
        InMemoryCompletionStore store = new InMemoryCompletionStore(10);
        assertThat(store.claimWrite("w", T0)).isEmpty(); // the call died: no answer recorded

        assertThat(store.claimWrite("w", T0)).as("it searches for its marker instead").isEmpty();
        assertThat(store.writesRemembered()).isZero();
    }

    @Test
    void readsAnsweredLeaveNoWriteIdAndMoveNoHorizon() {
        InMemoryCompletionStore store = new InMemoryCompletionStore(1);
        for (int i = 0; i < 10; i++) {
            store.record(completed("read-" + i, "x"));
        }

        assertThat(store.writesRemembered()).isZero();
        assertThat(store.claimWrite("w", T0.minusSeconds(3_600))).isEmpty();
    }

    @Test
    void writeIdsAndClaimsStayWithinTheCapacity() {
        InMemoryCompletionStore store = new InMemoryCompletionStore(3);
        for (int i = 0; i < 100; i++) {
            write(store, "w" + i, T0.plusSeconds(i));
            assertThat(store.claimWrite("dies-" + i, T0.plusSeconds(i).plusMillis(500)))
                    .isEmpty();
        }

        assertThat(store.writesRemembered()).isEqualTo(3);
        assertThat(store.claimsHeld()).isEqualTo(3);
        assertThat(store.firstAttempt("w99")).as("memory cannot know across a crash").isFalse();
    }

    @Test
    void refusesABoundWithNoRoom() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new InMemoryCompletionStore(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity 0");
    }
}
