package dev.tollgate.audit.postgres;

import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.Erasure;
import dev.tollgate.audit.core.Pruning;
import dev.tollgate.audit.core.StoreVerifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Erases the PostgreSQL store's records past their retention ({@link Pruning}), turning each row
 * into a tombstone with one {@code UPDATE}, in sequence order, committed every {@value #BATCH}
 * rows. Logs in as a member of the pruner role (the migration's {@code tollgate_audit_pruner}),
 * which may update only the columns a tombstone empties or sets; the append-only trigger refuses
 * anything else, and sets {@code erased_at} itself from the database's clock. The sink may keep
 * appending meanwhile: what it appends is young.
 */
public final class PostgresPruner {

    private static final int BATCH = 500;
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String ERASE = "UPDATE audit_record SET producer = NULL,"
            + " request_id = NULL, agent_id = NULL, environment = NULL, action = NULL,"
            + " resource = NULL, repository = NULL, decision = NULL, reason = NULL,"
            + " policy_version = NULL, outcome = NULL, error_class = NULL, context = '',"
            + " erased_at = ?, erased_class = ?, erased_retention = ?"
            + " WHERE chain_id = ? AND sequence = ? AND erased_at IS NULL";

    private PostgresPruner() {
    }

    /**
     * Prunes the store behind {@code dataSource}; with {@code dryRun}, reads and decides the same
     * but changes nothing. Returns how many records were (or would be) erased.
     *
     * @throws AuditStoreException if the database cannot be reached, or refuses (the login is
     *             not a member of the pruner role, the schema is not migrated)
     */
    public static long prune(DataSource dataSource, Pruning pruning, boolean dryRun,
            StoreVerifier.Progress progress, long every) {
        try (Connection reader = dataSource.getConnection();
                Connection writer = dryRun ? null : dataSource.getConnection()) {
            reader.setAutoCommit(false);
            reader.setReadOnly(true);
            if (writer != null) {
                writer.setAutoCommit(false);
            }
            long examined = 0;
            long erased = 0;
            int pending = 0;
            try (PreparedStatement rows = reader.prepareStatement("SELECT chain_id, sequence,"
                    + " event_type, occurred_at, source_timestamp, erased_at IS NOT NULL"
                    + " FROM audit_record ORDER BY chain_id, sequence");
                    PreparedStatement erase = writer == null
                            ? null
                            : writer.prepareStatement(ERASE)) {
                rows.setFetchSize(1000);
                Pruning.Chain chain = null;
                try (ResultSet r = rows.executeQuery()) {
                    while (r.next()) {
                        String chainId = r.getString(1);
                        if (chain == null || !chain.chainId().equals(chainId)) {
                            chain = pruning.chain(chainId);
                        }
                        Optional<Erasure> erasure = chain.next(r.getString(3), instant(r, 4),
                                instant(r, 5), r.getBoolean(6));
                        if (++examined % Math.max(1, every) == 0) {
                            progress.checked(examined, chainId);
                        }
                        if (erasure.isEmpty()) {
                            continue;
                        }
                        if (erase == null) {
                            erased++;
                            continue;
                        }
                        erase.setObject(1, PostgresAuditStore.utc(erasure.get().at()));
                        erase.setString(2, erasure.get().recordClass());
                        erase.setString(3, erasure.get().retention());
                        erase.setString(4, chainId);
                        erase.setLong(5, r.getLong(2));
                        erase.addBatch();
                        if (++pending == BATCH) {
                            erased += flush(erase, writer);
                            pending = 0;
                        }
                    }
                }
                if (erase != null && pending > 0) {
                    erased += flush(erase, writer);
                }
            } finally {
                reader.rollback();
            }
            return erased;
        } catch (SQLException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw new AuditStoreException("pruning the audit store failed: " + cause.getMessage()
                    + (INSUFFICIENT_PRIVILEGE.equals(cause.getSQLState())
                            ? " (log in as a member of the pruner role, "
                                    + PostgresMigrations.DEFAULT_PRUNER_ROLE + " unless migrated"
                                    + " with another; see audit-sink/README.md, \"Retention\")"
                            : PostgresAuditStore.olderSchemaHint(cause)),
                    cause);
        }
    }

    private static long flush(PreparedStatement erase, Connection writer) throws SQLException {
        try {
            long updated = 0;
            for (int count : erase.executeBatch()) {
                updated += Math.max(0, count);
            }
            writer.commit();
            return updated;
        } catch (SQLException e) {
            writer.rollback();
            throw e;
        }
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        OffsetDateTime value = r.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
