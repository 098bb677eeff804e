package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.util.Optional;

/**
 * The final answer already given for a request ID, so a redelivered request re-publishes it
 * instead of acting again. In production this should be durable and shared by the executor fleet:
 * {@link JdbcCompletionStore} (PostgreSQL), written before the Kafka offset is committed.
 * {@link InMemoryCompletionStore} survives redelivery within one process only; across a crash the
 * hidden markers on GitHub close the gap for writes.
 */
public interface CompletionStore {

    Optional<ToolCallCompleted> find(String requestId);

    /**
     * Records the final answer of {@code completed}'s request unless one is already recorded, and
     * returns the one kept: the first answer wins, so every replica publishes the same one.
     */
    ToolCallCompleted record(ToolCallCompleted completed);
}
