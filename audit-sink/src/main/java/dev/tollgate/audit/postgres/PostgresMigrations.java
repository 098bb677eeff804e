package dev.tollgate.audit.postgres;

import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates or upgrades the audit schema with Flyway ({@code classpath:db/audit}). Run it as the
 * schema's owner, never as the sink's writer role (which may only INSERT and SELECT).
 */
public final class PostgresMigrations {

    /** The group role granted SELECT and INSERT, unless configured otherwise. */
    public static final String DEFAULT_WRITER_ROLE = "tollgate_audit_writer";
    /**
     * The group role that may turn records past their retention into tombstones (and nothing
     * else), unless configured otherwise. Never the writer role.
     */
    public static final String DEFAULT_PRUNER_ROLE = "tollgate_audit_pruner";

    private PostgresMigrations() {
    }

    public static MigrateResult migrate(DataSource dataSource) {
        return migrate(dataSource, DEFAULT_WRITER_ROLE);
    }

    public static MigrateResult migrate(DataSource dataSource, String writerRole) {
        return migrate(dataSource, writerRole, DEFAULT_PRUNER_ROLE);
    }

    public static MigrateResult migrate(DataSource dataSource, String writerRole,
            String prunerRole) {
        if (!writerRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("tollgate.audit.postgres.writer-role=" + writerRole
                    + ": use a plain lower-case PostgreSQL role name");
        }
        if (!prunerRole.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("tollgate.audit.postgres.pruner-role=" + prunerRole
                    + ": use a plain lower-case PostgreSQL role name");
        }
        if (prunerRole.equals(writerRole)) {
            throw new IllegalArgumentException("the pruner role must not be the writer role ("
                    + writerRole + "): the sink may append, never erase");
        }
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/audit").table(
                "audit_schema_history").placeholders(
                        Map.of("writerRole", writerRole,
                                "prunerRole", prunerRole))
                .load().migrate();
    }
}
