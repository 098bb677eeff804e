package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

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
}
