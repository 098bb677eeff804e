package dev.tollgate.audit.postgres;

import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.ChainTip;
import dev.tollgate.audit.core.Erasure;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.audit.core.SourceResets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The production audit store: table {@code audit_record} (see {@code db/audit/V1__audit_record.sql}).
 * Appends lock their chain's row of {@code audit_chain_lock} ({@code SELECT ... FOR UPDATE}, see
 * {@code db/audit/V6__audit_chain_lock.sql}) until they commit, so concurrent appenders (threads
 * or sink replicas) serialize per chain and never fork it, and no login without UPDATE on that
 * table (a reader, the executors') can hold the lock and stall a chain; the primary key (chain,
 * sequence) and the unique event ID are the second line of defence, and a conflict is retried.
 * Needs SELECT and INSERT on {@code audit_record}, and SELECT, INSERT and UPDATE of {@code
 * chain_id} on {@code audit_chain_lock} (the writer group's grants).
 */
public final class PostgresAuditStore implements AuditStore {

    private static final int ATTEMPTS = 5;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "chain_id, sequence, event_id, event_type, source_topic,"
            + " source_partition, source_offset, source_timestamp, occurred_at, producer,"
            + " request_id, agent_id, environment, action, resource, repository, decision, reason,"
            + " policy_version, outcome, error_class, context, previous_hash, hash, source_cluster";
    private static final String INSERT = "INSERT INTO audit_record (" + COLUMNS + ") VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UNDEFINED_COLUMN = "42703";
    private static final String UNDEFINED_TABLE = "42P01";
    private static final System.Logger LOG = System.getLogger(PostgresAuditStore.class
            .getName());
    private static final String SELECT = "SELECT " + COLUMNS
            + ", erased_at, erased_class, erased_retention FROM audit_record";

    private final DataSource dataSource;
    private final AutoCloseable onClose;

    /** A store over {@code dataSource}, which stays the caller's to close. */
    public PostgresAuditStore(DataSource dataSource) {
        this(dataSource, () -> {
        });
    }

    /** A store that runs {@code onClose} (e.g. closing its pool) when closed. */
    public PostgresAuditStore(DataSource dataSource, AutoCloseable onClose) {
        this.dataSource = dataSource;
        this.onClose = onClose;
    }

    @Override
    public AppendResult append(AuditEntry entry) {
        return appendAll(List.of(entry)).get(0);
    }

    @Override
    public List<AppendResult> appendAll(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        SQLException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    List<AuditRecord> resets = new ArrayList<>();
                    List<AppendResult> results = appendInTransaction(connection, entries, resets);
                    connection.commit();
                    resets.forEach(reset -> LOG.log(System.Logger.Level.WARNING, "audit chain {0}:"
                            + " {1}; recorded as #{2}, the chain continues with the new source",
                            reset.chainId(), reset.entry().reason(), reset.sequence()));
                    return results;
                } catch (SQLException e) {
                    connection.rollback();
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                    // Someone appended to the chain without our lock, or the same event raced in
                    // on another chain: read the heads again and retry.
                    last = e;
                }
            } catch (SQLException e) {
                throw new AuditStoreException("appending " + entries.size() + " audit record(s)"
                        + " failed: " + e.getMessage() + olderSchemaHint(e), e);
            }
        }
        throw new AuditStoreException("appending kept conflicting after " + ATTEMPTS
                + " attempts: " + last.getMessage(), last);
    }

    /** Appends in the caller's transaction; adds the source resets it links to {@code resets}. */
    private List<AppendResult> appendInTransaction(Connection connection,
            List<AuditEntry> entries, List<AuditRecord> resets) throws SQLException {
        // Lock every chain of the batch in a fixed order, so two batches never deadlock.
        TreeSet<String> chains = new TreeSet<>();
        entries.forEach(e -> chains.add(e.chainId()));
        for (String chain : chains) {
            lockChain(connection, chain);
        }
        Map<String, Optional<ChainTip>> tips = new HashMap<>();
        Map<String, AuditRecord> inBatch = new HashMap<>();
        List<AppendResult> results = new ArrayList<>(entries.size());
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (AuditEntry given : entries) {
                AuditEntry entry = given;
                Optional<AuditRecord> stored = stored(connection, inBatch, entry.eventId());
                AuditRecord held = null;
                if (stored.isPresent() && !SourceResets.sameOccurrence(stored.get(), entry)) {
                    // An undecodable record at a position a reset source reused, or another event
                    // under an event ID already held: kept on its own.
                    held = AuditEntries.isPositional(entry.eventId()) ? null : stored.get();
                    entry = SourceResets.distinct(entry);
                    stored = stored(connection, inBatch, entry.eventId());
                }
                if (stored.isPresent()) {
                    results.add(new AppendResult.Duplicate(stored.get()));
                    continue;
                }
                Optional<ChainTip> tip = tips.get(entry.chainId());
                if (tip == null) {
                    tip = tip(connection, entry.chainId());
                }
                Optional<AuditEntry> reset = SourceResets.resetBefore(tip, entry);
                if (reset.isPresent()) {
                    AuditRecord written = AuditChain.append(tip.map(ChainTip::head), reset.get());
                    bind(insert, written);
                    insert.addBatch();
                    inBatch.put(written.eventId(), written);
                    tip = Optional.of(ChainTip.of(written));
                    resets.add(written);
                }
                AuditRecord record = AuditChain.append(tip.map(ChainTip::head), entry);
                bind(insert, record);
                insert.addBatch();
                tips.put(entry.chainId(), Optional.of(ChainTip.of(record)));
                inBatch.put(entry.eventId(), record);
                results.add(held == null
                        ? new AppendResult.Appended(record)
                        : new AppendResult.Conflicting(record, held));
            }
            insert.executeBatch();
        } catch (java.sql.BatchUpdateException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw cause.getSQLState() != null ? cause : e;
        }
        return results;
    }

    /**
     * Holds {@code chain}'s row of {@code audit_chain_lock} until the transaction ends: {@code
     * SELECT ... FOR UPDATE}, which needs UPDATE privilege on the table, so only the writer group
     * can take (or hold off) this lock. A chain's first append creates its row; the uncommitted
     * row is the lock (a concurrent insert of it waits for this transaction), and whoever finds it
     * committed after waiting locks it as usual. One statement per chain of a batch once the row
     * exists.
     */
    private static void lockChain(Connection connection, String chain) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT 1 FROM audit_chain_lock WHERE chain_id = ? FOR UPDATE");
                PreparedStatement create = connection.prepareStatement(
                        "INSERT INTO audit_chain_lock (chain_id) VALUES (?)"
                                + " ON CONFLICT (chain_id) DO NOTHING")) {
            lock.setString(1, chain);
            create.setString(1, chain);
            while (true) {
                try (ResultSet row = lock.executeQuery()) {
                    if (row.next()) {
                        return;
                    }
                }
                if (create.executeUpdate() == 1) {
                    return;
                }
                // Another appender created it meanwhile and has committed: lock it (a new
                // statement sees it).
            }
        }
    }

    /** The record stored (or appended earlier in this batch) under {@code eventId}. */
    private static Optional<AuditRecord> stored(Connection connection,
            Map<String, AuditRecord> inBatch, String eventId) throws SQLException {
        AuditRecord seen = inBatch.get(eventId);
        return seen != null ? Optional.of(seen) : findByEventId(connection, eventId);
    }

    private static Optional<ChainTip> tip(Connection connection, String chainId)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT sequence, hash,"
                + " source_offset, source_cluster, event_type FROM audit_record"
                + " WHERE chain_id = ? ORDER BY sequence DESC LIMIT 1")) {
            statement.setString(1, chainId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(new ChainTip(new ChainHead(chainId, rows.getLong(1), rows
                                .getString(2)), rows.getLong(3), rows.getString(4),
                                SourceResets.EVENT_TYPE.equals(rows.getString(5))))
                        : Optional.empty();
            }
        }
    }

    @Override
    public List<ChainHead> heads() {
        List<ChainHead> heads = new ArrayList<>();
        query("SELECT DISTINCT ON (chain_id) chain_id, sequence, hash FROM audit_record"
                + " ORDER BY chain_id, sequence DESC", statement -> {
                }, rows -> heads.add(new ChainHead(rows.getString(1), rows.getLong(2), rows
                        .getString(3))));
        return heads;
    }

    @Override
    public void readChain(String chainId, Consumer<AuditRecord> sink) {
        query(SELECT + " WHERE chain_id = ? ORDER BY sequence", statement -> statement.setString(
                1, chainId), rows -> sink.accept(read(rows)));
    }

    @Override
    public void readRange(Instant from, Instant to, Consumer<AuditRecord> sink) {
        query(SELECT + " WHERE occurred_at >= ? AND occurred_at < ?"
                + " ORDER BY occurred_at, chain_id, sequence", statement -> {
                    statement.setObject(1, utc(from == null ? Instant.EPOCH : from));
                    statement.setObject(2, utc(to == null
                            ? Instant.parse("9999-01-01T00:00:00Z")
                            : to));
                }, rows -> sink.accept(read(rows)));
    }

    @Override
    public Optional<AuditRecord> findByEventId(String eventId) {
        try (Connection connection = dataSource.getConnection()) {
            return findByEventId(connection, eventId);
        } catch (SQLException e) {
            throw new AuditStoreException("reading event " + eventId + " failed: " + e
                    .getMessage(), e);
        }
    }

    private static Optional<AuditRecord> findByEventId(Connection connection, String eventId)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SELECT
                + " WHERE event_id = ?")) {
            statement.setString(1, eventId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    @Override
    public long count() {
        long[] count = {0};
        query("SELECT count(*) FROM audit_record", statement -> {
        }, rows -> count[0] = rows.getLong(1));
        return count[0];
    }

    @Override
    public void close() {
        try {
            onClose.close();
        } catch (Exception e) {
            throw new AuditStoreException("closing the audit store failed: " + e.getMessage(), e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface RowHandler {
        void handle(ResultSet rows) throws SQLException;
    }

    /** Streams rows with a cursor (fetch size 500) inside a read-only transaction. */
    private void query(String sql, Binder binder, RowHandler handler) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(500);
                binder.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        handler.handle(rows);
                    }
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new AuditStoreException("reading the audit store failed: " + e.getMessage()
                    + olderSchemaHint(e), e);
        }
    }

    /** Inserts a row as given, bypassing the chain logic: for tamper tests and nothing else. */
    static void insertRow(Connection connection, AuditRecord record) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            bind(insert, record);
            insert.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, AuditRecord record) throws SQLException {
        AuditEntry e = record.entry();
        s.setString(1, e.chainId());
        s.setLong(2, record.sequence());
        s.setString(3, e.eventId());
        s.setString(4, e.eventType());
        s.setString(5, e.source().topic());
        s.setInt(6, e.source().partition());
        s.setLong(7, e.source().offset());
        s.setObject(8, utc(e.source().timestamp()));
        s.setObject(9, utc(e.occurredAt()));
        s.setString(10, e.producer());
        s.setString(11, e.requestId());
        s.setString(12, e.agentId());
        s.setString(13, e.environment());
        s.setString(14, e.action());
        s.setString(15, e.resource());
        s.setString(16, e.repository());
        s.setString(17, e.decision());
        s.setString(18, e.reason());
        s.setString(19, e.policyVersion());
        s.setString(20, e.outcome());
        s.setString(21, e.errorClass());
        s.setString(22, e.contextJson());
        s.setString(23, record.previousHash());
        s.setString(24, record.hash());
        s.setString(25, e.source().cluster());
    }

    static String olderSchemaHint(SQLException e) {
        return UNDEFINED_COLUMN.equals(e.getSQLState()) || UNDEFINED_TABLE.equals(e.getSQLState())
                ? " (the audit schema is older than this sink, or this login's group has not been"
                        + " granted it: run `audit migrate` as the schema owner)"
                : "";
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        OffsetDateTime value = r.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static AuditRecord read(ResultSet r) throws SQLException {
        SourcePosition source = new SourcePosition(r.getString(5), r.getInt(6), r.getLong(7),
                instant(r, 8), r.getString(25));
        AuditEntry entry = new AuditEntry(r.getString(3), r.getString(4), source, instant(r, 9),
                r.getString(10), r.getString(11), r.getString(12), r.getString(13), r
                        .getString(14),
                r.getString(15), r.getString(16), r.getString(17), r
                        .getString(18),
                r.getString(19), r.getString(20), r.getString(21), r
                        .getString(22));
        // A row whose chain_id disagrees with its source is returned as its source says: the
        // verifier reports it as WRONG_CHAIN.
        Instant erasedAt = instant(r, 26);
        Erasure erasure = erasedAt == null
                ? null
                : new Erasure(erasedAt, String.valueOf(r.getString(27)), String.valueOf(r
                        .getString(28)));
        return new AuditRecord(entry, r.getLong(2), r.getString(23), r.getString(24), erasure);
    }
}
