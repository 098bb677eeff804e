package dev.tollgate.audit.postgres;

import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates or upgrades the audit schema with Flyway ({@code classpath:db/audit}). Run it as the
 * schema's owner, never as the sink's writer role (which may only INSERT and SELECT). The
 * migrations grant the writer role SELECT and INSERT (and the row locks of {@code
 * audit_chain_lock} appends serialize on), the pruner role the one UPDATE the trigger allows, and
 * the reader role SELECT only. A migration runs once, and grants only to the groups that exist
 * then: the {@code afterMigrate} callback ({@code db/audit/afterMigrate__audit_grants.sql}) applies
 * exactly those grants again, to whichever groups exist, at the end of every run.
 */
public final class PostgresMigrations {

    /** The group role granted SELECT and INSERT, unless configured otherwise. */
    public static final String DEFAULT_WRITER_ROLE = "tollgate_audit_writer";
    /**
     * The group role that may turn records past their retention into tombstones (and nothing
     * else), unless configured otherwise. Never the writer role.
     */
    public static final String DEFAULT_PRUNER_ROLE = "tollgate_audit_pruner";
    /**
     * The group role granted only SELECT (and USAGE on the schema), for the logins that verify or
     * export the record, unless configured otherwise. Never the writer or the pruner role.
     */
    public static final String DEFAULT_READER_ROLE = "tollgate_audit_readers";

    /**
     * How long a migration's statement waits for a lock before the run gives up (nothing applied,
     * {@code 55P03 lock_not_available}) unless configured otherwise. A migration that alters a
     * table waits for every transaction using it (a reader's long-open one) and, while it waits,
     * holds back every append behind it: bounded, the sink's appends queue this long at most.
     */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);

    private PostgresMigrations() {
    }

    /**
     * {@code lockTimeout} if a migration can use it: whole milliseconds from 0 (no limit) to 1 h.
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static Duration checkLockTimeout(Duration lockTimeout) {
        if (lockTimeout.isNegative() || lockTimeout.compareTo(Duration.ofHours(1)) > 0
                || lockTimeout.toNanos() % 1_000_000 != 0) {
            throw new IllegalArgumentException(lockTimeout + ": use whole milliseconds from 0 (no"
                    + " limit) to 1h");
        }
        return lockTimeout;
    }

    public static MigrateResult migrate(DataSource dataSource) {
        return migrate(dataSource, DEFAULT_WRITER_ROLE);
    }

    public static MigrateResult migrate(DataSource dataSource, String writerRole) {
        return migrate(dataSource, writerRole, DEFAULT_PRUNER_ROLE);
    }

    public static MigrateResult migrate(DataSource dataSource, String writerRole,
            String prunerRole) {
        return migrate(dataSource, writerRole, prunerRole, DEFAULT_READER_ROLE);
    }

    public static MigrateResult migrate(DataSource dataSource, String writerRole,
            String prunerRole, String readerRole) {
        return migrate(dataSource, writerRole, prunerRole, readerRole, DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * @param dataSource connections for this run alone: each session Flyway opens gets
     *        {@code lock_timeout}, which a pooled connection would keep afterwards
     * @param lockTimeout how long a statement may wait for a lock ({@code 0}: as long as it
     *        takes)
     */
    public static MigrateResult migrate(DataSource dataSource, String writerRole,
            String prunerRole, String readerRole, Duration lockTimeout) {
        checkLockTimeout(lockTimeout);
        if (!writerRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("tollgate.audit.postgres.writer-role=" + writerRole
                    + ": use a plain lower-case PostgreSQL role name");
        }
        if (!prunerRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("tollgate.audit.postgres.pruner-role=" + prunerRole
                    + ": use a plain lower-case PostgreSQL role name");
        }
        if (!readerRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("tollgate.audit.postgres.reader-role=" + readerRole
                    + ": use a plain lower-case PostgreSQL role name");
        }
        if (readerRole.equals(writerRole) || readerRole.equals(prunerRole)) {
            throw new IllegalArgumentException("the reader role must not be the writer role ("
                    + writerRole + ") or the pruner role (" + prunerRole
                    + "): those who check the record may only read it");
        }
        if (prunerRole.equals(writerRole)) {
            throw new IllegalArgumentException("the pruner role must not be the writer role ("
                    + writerRole + "): the sink may append, never erase");
        }
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/audit").table(
                "audit_schema_history").placeholders(
                        Map.of("writerRole", writerRole,
                                "prunerRole", prunerRole,
                                "readerRole", readerRole))
                .initSql("SET lock_timeout = " + lockTimeout.toMillis())
                .load().migrate();
    }
}
