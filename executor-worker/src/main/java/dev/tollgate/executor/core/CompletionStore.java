package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.util.Optional;

/**
 * The final answer already given for a request ID, so a redelivered request re-publishes it
 * instead of acting again. In production this should be durable and shared by the executor fleet:
 * {@link JdbcCompletionStore} (PostgreSQL), written before the Kafka offset is committed.
 * {@link InMemoryCompletionStore} survives redelivery within one process only (a write whose
 * answer it has forgotten is refused, not done again: {@link #claimWrite}); across a crash the
 * hidden markers on GitHub close the gap for writes, so with it every write searches for its
 * marker first; a durable store records each write's attempt, and only a redelivered write
 * searches ({@link #firstAttempt}).
 */
public interface CompletionStore {

    Optional<ToolCallCompleted> find(String requestId);

    /**
     * Records the final answer of {@code completed}'s request unless one is already recorded, and
     * returns the one kept: the first answer wins, so every replica publishes the same one.
     */
    ToolCallCompleted record(ToolCallCompleted completed);

    /**
     * Records, before a write of {@code requestId} is sent, that it is about to be: true when the
     * store knows for certain that no earlier delivery of the request got this far (it keeps
     * attempts across crashes, and this is the first), so the write may go out without first
     * searching GitHub for its marker; false when an earlier attempt is recorded, or when the
     * store cannot know (it forgets across a crash), and the handler searches.
     */
    boolean firstAttempt(String requestId);

    /**
     * Before a write of {@code requestId}, decided at {@code decidedAt}, whose answer
     * {@link #find} does not hold, is performed: why it must not be, when this store may have
     * recorded its answer and forgotten it since (performing it would do it a second time: a
     * replayed or redelivered decision); otherwise it notes the write as under way and answers
     * empty. A store that forgets no answer a decision younger than
     * {@code tollgate.executor.max-decision-age} could need answers empty.
     */
    Optional<String> claimWrite(String requestId, java.time.Instant decidedAt);
}
