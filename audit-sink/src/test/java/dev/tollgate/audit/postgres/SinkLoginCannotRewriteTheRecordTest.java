package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The role layout the shipped deployments use (compose/postgres/init.sh and the Kubernetes
 * manifests; README "PostgreSQL roles"), against the real server: an owner of the schema that
 * only migrates, a NOLOGIN writer group, and the sink's login, a member of the group and owner of
 * nothing. The sink appends and reads; every way to rewrite the record that the table's owner
 * would have is refused to it by PostgreSQL itself (SQLSTATE 42501), and the record is intact
 * afterwards. Each test creates its own roles (unique names) and schema and drops them.
 */
class SinkLoginCannotRewriteTheRecordTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();
    private static final String TOPIC = "gateway.requests";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private String owner;
    private String writer;
    private String sink;
    private String schema;
    private String url;
    private AuditStore asSink;

    @BeforeEach
    void rolesAsDeployed() throws SQLException {
        String id = KafkaTestBroker.uniqueName("").replace('-', '_').toLowerCase();
        owner = "tg_audit_owner" + id;
        writer = "tg_audit_writer" + id;
        sink = "tg_audit_sink" + id;
        schema = "audit" + id;
        try (Connection admin = DATABASE.connect();
                Statement sql = admin.createStatement()) {
            // what init.sh does as the database superuser; the test's role has CREATEROLE and
            // joins the owner only to create and later drop the schema in its name
            sql.execute("CREATE ROLE " + owner + " LOGIN PASSWORD 'owner-pw'");
            sql.execute("CREATE ROLE " + writer + " NOLOGIN");
            sql.execute("CREATE ROLE " + sink + " LOGIN PASSWORD 'sink-pw' IN ROLE " + writer);
            sql.execute("GRANT " + owner + " TO CURRENT_USER");
            sql.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + owner);
        }
        url = DATABASE.url() + (DATABASE.url().contains("?") ? "&" : "?") + "currentSchema="
                + schema;

        // the one-shot migration step, as the owner (what `audit migrate` runs)
        PostgresMigrations.migrate(dataSource(owner, "owner-pw"), writer);

        asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"));
        asSink.appendAll(TestEvents.entries(TOPIC, 0, 3));
    }

    @AfterEach
    void dropRolesAndSchema() throws SQLException {
        if (asSink != null) {
            asSink.close();
        }
        try (Connection admin = DATABASE.connect();
                Statement sql = admin.createStatement()) {
            sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            sql.execute("DROP ROLE IF EXISTS " + sink);
            sql.execute("DROP ROLE IF EXISTS " + writer);
            sql.execute("DROP ROLE IF EXISTS " + owner);
        }
    }

    @Test
    void theSinksLoginAppendsAndReads() {
        List<ChainHead> before = asSink.heads();

        asSink.appendAll(TestEvents.entries(TOPIC, 1, 2));

        assertThat(asSink.count()).isEqualTo(5);
        assertThat(asSink.heads()).hasSize(2).containsAll(before);
    }

    @Test
    void theSinksLoginCannotSwitchTheAppendOnlyTriggerOff() {
        List<ChainHead> heads = asSink.heads();

        assertRefused("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_update_or_delete",
                "must be owner");
        assertRefused("ALTER TABLE audit_record DISABLE TRIGGER USER", "must be owner");
        assertRefused("ALTER TABLE audit_record DISABLE TRIGGER ALL", "must be owner");
        // from ALWAYS back to ordinary, so that replication mode would skip it
        assertRefused("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_truncate",
                "must be owner");
        assertRefused("DROP TRIGGER audit_record_no_update_or_delete ON audit_record",
                "must be owner");
        // the trigger's function replaced by one that lets every change through
        assertRefused("CREATE OR REPLACE FUNCTION audit_record_refuse_change() RETURNS trigger"
                + " LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$", null);
        assertRefused("DROP FUNCTION audit_record_refuse_change() CASCADE", "must be owner");
        assertRefused("SET session_replication_role = replica", "permission denied");

        assertThat(asSink.heads()).isEqualTo(heads);
    }

    @Test
    void theSinksLoginCannotUpdateDeleteTruncateOrDropTheRecord() throws SQLException {
        List<ChainHead> heads = asSink.heads();

        assertRefused("UPDATE audit_record SET agent_id = 'someone-else'", "permission denied");
        assertRefused("DELETE FROM audit_record", "permission denied");
        assertRefused("TRUNCATE audit_record", "permission denied");
        assertRefused("DROP TABLE audit_record", "must be owner");
        assertRefused("ALTER TABLE audit_record RENAME TO audit_record_old", "must be owner");
        assertRefused("ALTER TABLE audit_record OWNER TO " + sink, "must be owner");
        assertRefused("CREATE TABLE audit_record_copy (x int)", "permission denied");
        // granting itself what it lacks only warns ("no privileges were granted"): still refused
        asSink("GRANT UPDATE, DELETE, TRUNCATE ON audit_record TO " + sink);
        assertRefused("UPDATE audit_record SET agent_id = 'someone-else'", "permission denied");
        assertRefused("SET ROLE " + owner, "permission denied");

        assertThat(asSink.count()).isEqualTo(3);
        assertThat(asSink.heads()).isEqualTo(heads);
    }

    /**
     * Why the sink must not log in as the owner: the owner can switch the guard off. This is what
     * the deployments did before (the sink migrated as the schema's owner).
     */
    @Test
    void theOwnerCouldSwitchTheTriggerOffWhichIsWhyTheSinkNeverLogsInAsTheOwner()
            throws SQLException {
        try (Connection connection = dataSource(owner, "owner-pw").getConnection();
                Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);

            assertThatCode(() -> sql.execute("ALTER TABLE audit_record DISABLE TRIGGER USER"))
                    .doesNotThrowAnyException();

            connection.rollback();
        }
        assertThat(asSink.count()).isEqualTo(3);
    }

    /** {@code sql} as the sink's login fails with insufficient privilege, naming {@code why}. */
    private void assertRefused(String statement, String why) {
        SQLException refused = null;
        try (Connection connection = dataSource(sink, "sink-pw").getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            refused = e;
        }

        assertThat((Throwable) refused).as("the sink's login ran: " + statement).isNotNull();
        assertThat(refused.getSQLState()).as(statement + ": " + refused.getMessage()).isEqualTo(
                INSUFFICIENT_PRIVILEGE);
        if (why != null) {
            assertThat(refused.getMessage()).as(statement).contains(why);
        }
    }

    private void asSink(String statement) throws SQLException {
        try (Connection connection = dataSource(sink, "sink-pw").getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private PGSimpleDataSource dataSource(String user, String password) {
        return PostgresTestDatabase.dataSource(url, user, password);
    }
}
