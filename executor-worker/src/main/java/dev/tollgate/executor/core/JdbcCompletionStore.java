package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.EventCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;

/**
 * Completions in a SQL table (PostgreSQL), shared by the executor fleet and kept across restarts:
 * {@code executor_completions(request_id text primary key, completed bytea, recorded_at)}. The
 * event is stored in the events' own encoding, so a redelivery re-publishes it byte for byte
 * (same event ID). Insert-if-absent: the first answer recorded wins. Each write's attempt is
 * recorded before it is sent, in {@code executor_attempts(request_id text primary key,
 * attempted_at)}, so a first delivery writes without searching for its marker. Deployments open
 * it with {@code CompletionsDatabase}: pooled connections, tables by Flyway.
 */
public final class JdbcCompletionStore implements CompletionStore, AutoCloseable {

    /** Opens a connection; a pool's {@code getConnection} or {@code DriverManager}. */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final ConnectionSource connections;
    private final EventCodec codec;
    private final Clock clock;
    private final AutoCloseable onClose;

    public JdbcCompletionStore(ConnectionSource connections, EventCodec codec, Clock clock) {
        this(connections, codec, clock, () -> {
        });
    }

    /** A store that closes {@code onClose} (its connection pool) when it is closed. */
    public JdbcCompletionStore(ConnectionSource connections, EventCodec codec, Clock clock,
            AutoCloseable onClose) {
        this.connections = connections;
        this.codec = codec;
        this.clock = clock;
        this.onClose = onClose;
    }

    @Override
    public void close() {
        try {
            onClose.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the completion record's connections: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ToolCallCompleted> find(String requestId) {
        try (Connection connection = connections.open();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT completed FROM executor_completions WHERE request_id = ?")) {
            select.setString(1, requestId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next()
                        ? Optional.of(codec.decode(rows.getBytes(1), ToolCallCompleted.class))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the completion of " + requestId + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public ToolCallCompleted record(ToolCallCompleted completed) {
        String requestId = completed.getMeta().getRequestId();
        try (Connection connection = connections.open();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO executor_completions (request_id, completed, recorded_at)"
                                + " VALUES (?, ?, ?) ON CONFLICT (request_id) DO NOTHING")) {
            insert.setString(1, requestId);
            insert.setBytes(2, codec.encode(completed));
            insert.setTimestamp(3, Timestamp.from(clock.instant()));
            if (insert.executeUpdate() == 1) {
                return completed;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the completion of " + requestId + ": "
                    + e.getMessage(), e);
        }
        return find(requestId).orElseThrow(() -> new IllegalStateException(
                "a completion of " + requestId + " was recorded and then vanished"));
    }

    /**
     * Nothing to refuse: every answer is kept until its row is pruned, which the operator does
     * only past {@code tollgate.executor.max-decision-age} (README, "Not here"); the attempt
     * itself is recorded by {@link #firstAttempt}.
     */
    @Override
    public Optional<String> claimWrite(String requestId, java.time.Instant decidedAt) {
        return Optional.empty();
    }

    @Override
    public boolean firstAttempt(String requestId) {
        try (Connection connection = connections.open();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO executor_attempts (request_id, attempted_at) VALUES (?, ?)"
                                + " ON CONFLICT (request_id) DO NOTHING")) {
            insert.setString(1, requestId);
            insert.setTimestamp(2, Timestamp.from(clock.instant()));
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the attempt of " + requestId + ": "
                    + e.getMessage(), e);
        }
    }
}
