package dev.tollgate.executor;

import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.CompletionStore;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A completion store that "kills" its worker right after GitHub succeeded, before the answer is
 * recorded, once {@code dead} says so: everything else (finding answers, recording attempts) is
 * the shared store's, as a durable store survives the worker that dies.
 */
public final class DyingCompletionStore implements CompletionStore {

    private final CompletionStore shared;
    private final BooleanSupplier dead;
    private final Supplier<? extends Throwable> kill;

    private DyingCompletionStore(CompletionStore shared, BooleanSupplier dead,
            Supplier<? extends Throwable> kill) {
        this.shared = shared;
        this.dead = dead;
        this.kill = kill;
    }

    /** Dies at every record with an {@link IllegalStateException} saying "killed". */
    public static CompletionStore killedBeforeTheRecord(CompletionStore shared) {
        return new DyingCompletionStore(shared, () -> true, () -> new IllegalStateException(
                "killed before the completion was recorded"));
    }

    /** Dies at a record once {@code dead} is true, throwing what {@code kill} makes. */
    public static CompletionStore dyingWhen(CompletionStore shared, BooleanSupplier dead,
            Supplier<? extends Throwable> kill) {
        return new DyingCompletionStore(shared, dead, kill);
    }

    @Override
    public Optional<ToolCallCompleted> find(String requestId) {
        return shared.find(requestId);
    }

    @Override
    public ToolCallCompleted record(ToolCallCompleted completed) {
        if (dead.getAsBoolean()) {
            Throwable killed = kill.get();
            if (killed instanceof Error error) {
                throw error;
            }
            throw (RuntimeException) killed;
        }
        return shared.record(completed);
    }

    @Override
    public boolean firstAttempt(String requestId) {
        return shared.firstAttempt(requestId);
    }

    @Override
    public Optional<String> claimWrite(String requestId, java.time.Instant decidedAt) {
        return shared.claimWrite(requestId, decidedAt);
    }
}
