package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A migration runs once and grants only to the groups that exist when it runs; the afterMigrate
 * callback (db/audit/afterMigrate__audit_grants.sql) applies the grants again after every {@code
 * audit migrate}. Against the real server: the owner (no CREATEROLE) migrates before any group
 * exists, so the migrations grant nothing; an operator then creates the writer, pruner and
 * readers' groups and a login in each, and hands the readers DELETE by mistake; {@code audit
 * migrate} again (no migration pending) gives each group exactly what it may do and nothing else,
 * and a third run changes nothing. Unique role and schema names, dropped after.
 */
class GrantsFollowEveryMigrateTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();
    private static final String TOPIC = "gateway.requests";

    private final List<String> roles = new ArrayList<>();
    private String owner;
    private String writer;
    private String pruner;
    private String readers;
    private String schema;
    private String url;

    @BeforeEach
    void anOwnerWithoutCreateroleMigratesBeforeTheGroupsExist() {
        String id = KafkaTestBroker.uniqueName("").replace('-', '_').toLowerCase();
        owner = "tg_audit_owner" + id;
        writer = "tg_audit_writer" + id;
        pruner = "tg_audit_pruner" + id;
        readers = "tg_audit_readers" + id;
        schema = "audit" + id;
        admin("CREATE ROLE " + owner + " LOGIN PASSWORD 'owner-pw'");
        roles.add(owner);
        admin("GRANT " + owner + " TO CURRENT_USER");
        admin("CREATE SCHEMA " + schema + " AUTHORIZATION " + owner);
        url = DATABASE.url() + (DATABASE.url().contains("?") ? "&" : "?") + "currentSchema="
                + schema;

        PostgresMigrations.migrate(owner(), writer, pruner, readers);
    }

    @AfterEach
    void dropRolesAndSchema() {
        admin("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        for (String role : roles.reversed()) {
            admin("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void groupsCreatedAfterTheMigrationGetExactlyTheirGrantsFromTheNextMigrate()
            throws SQLException {
        String sink = writer.replace("writer", "sink");
        String reader = readers.replace("readers", "reader");
        admin("CREATE ROLE " + writer + " NOLOGIN");
        admin("CREATE ROLE " + pruner + " NOLOGIN");
        admin("CREATE ROLE " + readers + " NOLOGIN");
        admin("CREATE ROLE " + sink + " LOGIN PASSWORD 'sink-pw' IN ROLE " + writer);
        admin("CREATE ROLE " + reader + " LOGIN PASSWORD 'reader-pw' IN ROLE " + readers);
        roles.addAll(List.of(writer, pruner, readers, sink, reader));
        asOwner("GRANT DELETE ON audit_record TO " + readers);
        String before = privileges();
        Throwable beforeMigrate = catchThrowable(() -> {
            try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
                asSink.appendAll(TestEvents.entries(TOPIC, 0, 1));
            }
        });

        MigrateResult again = PostgresMigrations.migrate(owner(), writer, pruner, readers);
        String after = privileges();
        PostgresMigrations.migrate(owner(), writer, pruner, readers);
        String third = privileges();
        try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
            asSink.appendAll(TestEvents.entries(TOPIC, 0, 3));
        }
        long read;
        try (AuditStore asReader = new PostgresAuditStore(dataSource(reader, "reader-pw"))) {
            read = asReader.count();
        }

        assertThat(before).as("before: what the first migrate granted the groups it did not find")
                .isEqualTo(writer + ": audit_record [] audit_chain_lock [] schema no; "
                        + pruner + ": audit_record [] audit_chain_lock [] schema no; "
                        + readers + ": audit_record [DELETE] audit_chain_lock [] schema no");
        // without USAGE on the schema the sink does not even see the tables
        assertThat(beforeMigrate).as("the sink appending before migrate again").isNotNull();
        assertThat(again.migrationsExecuted).isZero();
        assertThat(after).isEqualTo(writer + ": audit_record [SELECT, INSERT]"
                + " audit_chain_lock [SELECT, INSERT, UPDATE of a column] schema USAGE; "
                + pruner + ": audit_record [SELECT, UPDATE of a column] audit_chain_lock []"
                + " schema USAGE; "
                + readers + ": audit_record [SELECT] audit_chain_lock [] schema USAGE");
        assertThat(third).as("a third migrate").isEqualTo(after);
        assertThat(read).as("records the reader reads").isEqualTo(3);
    }

    /**
     * One login for everything, named as a group by mistake: the callback must not take the
     * owner's own table from it (revoking "anything else" from the pruner would take INSERT from
     * a sink that logs in as the owner).
     */
    @Test
    void theOwnerNamedAsAGroupKeepsItsTable() throws SQLException {
        String before = tablePrivileges(owner, "audit_record");

        PostgresMigrations.migrate(owner(), owner, owner + "_p", owner + "_r");
        PostgresMigrations.migrate(owner(), writer, owner, owner + "_r");
        PostgresMigrations.migrate(owner(), writer, owner + "_p", owner);
        try (AuditStore asOwner = new PostgresAuditStore(owner())) {
            asOwner.appendAll(TestEvents.entries(TOPIC, 0, 2));
        }

        assertThat(before).isEqualTo("[SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES,"
                + " TRIGGER]");
        assertThat(tablePrivileges(owner, "audit_record")).as("the owner's privileges after"
                + " it was named writer, pruner and reader").isEqualTo(before);
        assertThat(tablePrivileges(owner, "audit_chain_lock")).isEqualTo(before);
    }

    /** Each group's privileges on the audit tables and the schema, in a fixed order. */
    private String privileges() throws SQLException {
        List<String> each = new ArrayList<>();
        for (String group : List.of(writer, pruner, readers)) {
            each.add(group + ": audit_record " + tablePrivileges(group, "audit_record")
                    + " audit_chain_lock " + tablePrivileges(group, "audit_chain_lock")
                    + " schema " + (query("SELECT has_schema_privilege('" + group + "', '"
                            + schema + "', 'USAGE')").equals("t") ? "USAGE" : "no"));
        }
        return String.join("; ", each);
    }

    private String tablePrivileges(String group, String table) throws SQLException {
        String qualified = schema + "." + table;
        List<String> held = new ArrayList<>();
        for (String privilege : List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE",
                "REFERENCES", "TRIGGER")) {
            if (query("SELECT has_table_privilege('" + group + "', '" + qualified + "', '"
                    + privilege + "')").equals("t")) {
                held.add(privilege);
            } else if (privilege.equals("UPDATE") && query("SELECT has_any_column_privilege('"
                    + group + "', '" + qualified + "', 'UPDATE')").equals("t")) {
                held.add("UPDATE of a column");
            }
        }
        return held.toString();
    }

    private PGSimpleDataSource owner() {
        return dataSource(owner, "owner-pw");
    }

    private void asOwner(String statement) throws SQLException {
        try (Connection connection = owner().getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private static String query(String statement) throws SQLException {
        return DATABASE.queryOne(statement);
    }

    private static void admin(String statement) {
        DATABASE.execute(statement);
    }

    private PGSimpleDataSource dataSource(String user, String password) {
        return PostgresTestDatabase.dataSource(url, user, password);
    }
}
