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

    @Test
    void refusesABoundWithNoRoom() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new InMemoryCompletionStore(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity 0");
    }
}
