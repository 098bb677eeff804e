package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.util.Optional;

/**
 * The final answer already given for a request ID, so a redelivered request re-publishes it
 * instead of acting again. In production this should be durable and shared by the executor fleet:
 * a PostgreSQL table {@code executor_completions(request_id primary key, completed bytea)} written
 * before the Kafka offset is committed (or a compacted topic keyed by request ID read back on
 * assignment). {@link InMemoryCompletionStore} survives redelivery within one process only; across
 * a crash the hidden markers on GitHub close the gap for writes.
 */
public interface CompletionStore {

    Optional<ToolCallCompleted> find(String requestId);

    void record(ToolCallCompleted completed);
}
