package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Whoever checks the record logs in as a member of the readers' group (compose/postgres/init.sh's
 * {@code tollgate_audit_reader}; README "PostgreSQL roles"), never with the sink's login, which
 * can append: a leaked verify password must not be able to add records, and a record appended
 * with a correct hash at a chain's end verifies like any other. Against the real server, with the
 * layout init.sh creates (each test its own uniquely named roles and schema, dropped after): the
 * migration grants the group SELECT and nothing else; the reader's login verifies and exports a
 * real chain with no warning and is refused (SQLSTATE 42501) every change; {@code verify} and
 * {@code export} with a login that could change the record still check it, and warn once.
 */
class ReaderLoginOnlyReadsTheRecordTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();
    private static final String TOPIC = "gateway.requests";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    @TempDir
    Path dir;

    private AuditRoleLayout layout;
    private String owner;
    private String writer;
    private String sink;
    private String pruner;
    private String readers;
    private String reader;
    private String schema;
    private String url;
    private List<ChainHead> heads;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void rolesAsInitShCreatesThemAndTwoChainsAppendedByTheSink() throws SQLException {
        layout = new AuditRoleLayout(DATABASE);
        owner = layout.owner;
        writer = layout.writer;
        sink = layout.sink;
        pruner = layout.pruner;
        readers = layout.readers;
        reader = layout.reader;
        schema = layout.schema;
        url = layout.url;

        try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
            asSink.appendAll(TestEvents.entries(TOPIC, 0, 3));
            asSink.appendAll(TestEvents.entries(TOPIC, 1, 2));
            heads = asSink.heads();
        }
    }

    @AfterEach
    void dropRolesAndSchema() {
        layout.close();
    }

    @Test
    void theReadersLoginVerifiesAndExportsARealChainWithoutAWarning() throws IOException {
        Path export = dir.resolve("export.jsonl");

        int verified = command(reader, "reader-pw", "verify");
        int exported = command(reader, "reader-pw", "export", "--out", export.toString());

        assertThat(verified).as("verify as the reader; stderr:%n%s", err()).isZero();
        assertThat(exported).as("export as the reader; stderr:%n%s", err()).isZero();
        assertThat(out()).contains("verify OK: 5 records in 2 chains").contains(heads.get(0)
                .hash()).contains("export OK: 5 records in 2 chains");
        assertThat(Files.readAllLines(export)).hasSize(5);
        assertThat(err()).doesNotContain("WARNING");
        assertThat(LoginPrivileges.of(dataSource(reader, "reader-pw"))).isEqualTo(
                new LoginPrivileges(reader, List.of(), false));
    }

    @Test
    void theReadersLoginIsRefusedEveryChangeToTheRecordAndOtherSchemas() throws SQLException {
        String copyOfARow = "INSERT INTO audit_record SELECT * FROM audit_record"
                + " WHERE sequence = 1 LIMIT 1";
        // another role's schema, as the executors' (init.sh: tollgate_executor owns it)
        String executor = "executor" + schema.substring("audit".length());
        layout.dropSchema(executor);
        admin("CREATE SCHEMA " + executor);
        admin("CREATE TABLE " + executor + ".executor_completions (request_id text)");

        // the attack a leaked verify password must not allow: the next records of a chain,
        // correctly hashed and linked, which verify would accept as real
        Throwable appended = catchThrowable(() -> {
            try (AuditStore asReader = new PostgresAuditStore(dataSource(reader, "reader-pw"))) {
                asReader.appendAll(TestEvents.entries(TOPIC, 0, 5).subList(3, 5));
            }
        });
        assertRefused("INSERT INTO audit_record (chain_id) VALUES ('x')", "permission denied");
        assertRefused(copyOfARow, "permission denied");
        assertRefused("UPDATE audit_record SET agent_id = 'someone-else'", "permission denied");
        assertRefused("DELETE FROM audit_record", "permission denied");
        assertRefused("TRUNCATE audit_record", "permission denied");
        assertRefused("ALTER TABLE audit_record DISABLE TRIGGER USER", "must be owner");
        assertRefused("DROP TABLE audit_record", "must be owner");
        assertRefused("CREATE TABLE audit_record_copy (x int)", "permission denied");
        assertRefused("LOCK TABLE audit_record IN EXCLUSIVE MODE", "permission denied");
        assertRefused("SELECT * FROM audit_record FOR UPDATE", "permission denied");
        assertRefused("SET ROLE " + writer, "permission denied");
        assertRefused("SET ROLE " + owner, "permission denied");
        assertRefused("SELECT * FROM " + executor + ".executor_completions",
                "permission denied for schema");
        // granting itself what it lacks only warns ("no privileges were granted"): still refused
        asReader("GRANT INSERT, UPDATE, DELETE, TRUNCATE ON audit_record TO " + reader);
        assertRefused(copyOfARow, "permission denied");

        assertThat(appended).as("the reader's login appended").isNotNull();
        assertThat(sqlState(appended)).as(String.valueOf(appended)).isEqualTo(
                INSUFFICIENT_PRIVILEGE);
        try (AuditStore asReader = new PostgresAuditStore(dataSource(reader, "reader-pw"))) {
            assertThat(asReader.count()).isEqualTo(5);
            assertThat(asReader.heads()).isEqualTo(heads);
        }
    }

    /**
     * Existing setups verify with the sink's login: that still works (refusing would stop their
     * checks), with one warning that names the fix. So does every login that could change the
     * record: one that can only SET ROLE to the writer group (NOINHERIT), a pruner (UPDATE of some
     * columns), the owner.
     */
    @Test
    void verifyAndExportWithALoginThatCouldChangeTheRecordStillCheckAndWarnOnce() {
        String noInherit = "tg_audit_sink_noinherit" + schema.substring("audit".length());
        String prune = "tg_audit_prune" + schema.substring("audit".length());
        admin("CREATE ROLE " + noInherit + " LOGIN NOINHERIT PASSWORD 'sink-pw' IN ROLE "
                + writer);
        admin("CREATE ROLE " + prune + " LOGIN PASSWORD 'prune-pw' IN ROLE " + pruner);
        layout.dropFirst(noInherit, prune);

        int verified = command(sink, "sink-pw", "verify");
        String verifyErr = err();
        int exported = command(sink, "sink-pw", "export", "--out", dir.resolve("e.jsonl")
                .toString());

        assertThat(verified).as("verify as the sink; stderr:%n%s", verifyErr).isZero();
        assertThat(exported).isZero();
        assertThat(out()).contains("verify OK: 5 records in 2 chains").contains(
                "export OK: 5 records in 2 chains");
        assertThat(verifyErr.lines().filter(l -> l.contains("WARNING"))).singleElement()
                .asString().startsWith("verify: WARNING: the login " + sink
                        + " may INSERT on audit_record, so whoever holds its password can change"
                        + " the record")
                .contains("log in as a member of " + PostgresMigrations.DEFAULT_READER_ROLE,
                        "(audit-sink/README.md, \"PostgreSQL roles\")");
        assertThat(err().lines().filter(l -> l.startsWith("export: WARNING: the login " + sink
                + " may INSERT on audit_record"))).hasSize(1);
        assertThat(LoginPrivileges.of(dataSource(noInherit, "sink-pw")).describe()).isEqualTo(
                "may INSERT on audit_record");
        assertThat(LoginPrivileges.of(dataSource(prune, "prune-pw")).describe()).isEqualTo(
                "may UPDATE on audit_record");
        assertThat(LoginPrivileges.of(dataSource(owner, "owner-pw")).describe()).isEqualTo(
                "may INSERT, UPDATE, DELETE, TRUNCATE on audit_record and owns it");
    }

    /**
     * The migration creates the group when its role may (as for the writer), makes it read-only,
     * and runs once; a role without CREATEROLE and no group: it warns and migrates the rest.
     */
    @Test
    void theMigrationCreatesTheReadersGroupWhenItMayAndOnlyLetsItRead() throws SQLException {
        String created = "tg_audit_readers_created" + schema.substring("audit".length());
        String absent = "tg_audit_readers_absent" + schema.substring("audit".length());
        String withRoles = DATABASE.freshSchemaUrl("audit_readers");
        String withoutRoles = DATABASE.freshSchemaUrl("audit_readers_not");
        layout.dropSchema(schemaOf(withRoles));
        layout.dropSchema(schemaOf(withoutRoles));
        layout.dropFirst(created);
        admin("GRANT USAGE, CREATE ON SCHEMA " + schemaOf(withoutRoles) + " TO " + owner);
        PGSimpleDataSource canCreateRoles = new PGSimpleDataSource();
        canCreateRoles.setUrl(withRoles);
        canCreateRoles.setUser(DATABASE.user());
        canCreateRoles.setPassword(DATABASE.password());
        PGSimpleDataSource cannot = new PGSimpleDataSource();
        cannot.setUrl(withoutRoles);
        cannot.setUser(owner);
        cannot.setPassword("owner-pw");

        var first = PostgresMigrations.migrate(canCreateRoles, writer, pruner, created);
        var again = PostgresMigrations.migrate(canCreateRoles, writer, pruner, created);
        var withoutGroup = PostgresMigrations.migrate(cannot, writer, pruner, absent);

        assertThat(first.migrationsExecuted).isEqualTo(6);
        assertThat(again.migrationsExecuted).isZero();
        assertThat(withoutGroup.migrationsExecuted).isEqualTo(6);
        assertThat(query(withRoles, "SELECT rolcanlogin FROM pg_roles WHERE rolname = '"
                + created + "'")).as("a NOLOGIN group").isEqualTo("f");
        assertThat(query(withRoles, "SELECT string_agg(p, ',' ORDER BY p) FROM unnest(ARRAY["
                + "'SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p"
                + " WHERE has_table_privilege('" + created + "', 'audit_record', p)")).isEqualTo(
                        "SELECT");
        assertThat(query(withRoles, "SELECT count(*) FROM pg_roles WHERE rolname = '" + absent
                + "'")).isEqualTo("0");
    }

    private int command(String user, String password, String... args) {
        Path passwordFile = dir.resolve(user + ".pw");
        try {
            Files.writeString(passwordFile, password + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--store", "postgres", "--jdbc-url", url, "--user", user,
                "--password-file", passwordFile.toString()));
        return new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC(), Map.of())
                .run(all.toArray(String[]::new));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String sqlState(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null) {
                return e.getSQLState();
            }
        }
        return null;
    }

    /** {@code sql} as the reader's login fails with insufficient privilege, naming {@code why}. */
    private void assertRefused(String statement, String why) {
        SQLException refused = null;
        try (Connection connection = dataSource(reader, "reader-pw").getConnection();
                Statement sql = connection.createStatement()) {
            connection.setAutoCommit(false);
            sql.execute(statement);
        } catch (SQLException e) {
            refused = e;
        }

        assertThat((Throwable) refused).as("the reader's login ran: " + statement).isNotNull();
        assertThat(refused.getSQLState()).as(statement + ": " + refused.getMessage()).isEqualTo(
                INSUFFICIENT_PRIVILEGE);
        assertThat(refused.getMessage()).as(statement).contains(why);
    }

    private void asReader(String statement) throws SQLException {
        try (Connection connection = dataSource(reader, "reader-pw").getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    private static void admin(String statement) {
        DATABASE.execute(statement);
    }

    private static String query(String url, String statement) throws SQLException {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser(DATABASE.user());
        source.setPassword(DATABASE.password());
        try (Connection connection = source.getConnection();
                Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery(statement)) {
            row.next();
            return row.getString(1);
        }
    }

    private static String schemaOf(String url) {
        return url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
    }

    private PGSimpleDataSource dataSource(String user, String password) {
        return PostgresTestDatabase.dataSource(url, user, password);
    }
}
