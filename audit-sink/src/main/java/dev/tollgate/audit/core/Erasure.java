package dev.tollgate.audit.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When and why a record's content was erased: the class it belonged to and the retention that
 * class had. Kept in the tombstone, next to the record's original hash; not hashed itself (the
 * record's hash was computed before), so {@code verify} judges it against its own retention policy
 * ({@link Tombstones#problems}).
 *
 * @param at when the content was erased
 * @param recordClass the {@link RecordClass#key() class} the eraser put the record in
 * @param retention that class's retention, as written by {@link RetentionPolicy#format}
 *            ({@code P90D}); kept as text so that a tombstone stating nonsense is reported, not
 *            unreadable
 */
public record Erasure(Instant at, String recordClass, String retention) {

    public Erasure {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(recordClass, "recordClass");
        Objects.requireNonNull(retention, "retention");
        at = Timestamps.toMillis(at);
    }

    public Erasure(Instant at, RecordClass recordClass, Duration retention) {
        this(at, recordClass.key(), RetentionPolicy.format(retention));
    }

    /** The stated retention, if it is a duration. */
    public Optional<Duration> retentionDuration() {
        try {
            return Optional.of(Duration.parse(retention));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
