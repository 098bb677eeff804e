package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.ChainBreak;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.Pruning;
import dev.tollgate.audit.core.RecordClass;
import dev.tollgate.audit.core.RetentionPolicy;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.testsupport.KafkaTestBroker;
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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Erasure in PostgreSQL, with the roles as deployed plus the pruner: a NOLOGIN group
 * {@code ..._pruner} granted by the migration and a login in it. The pruner turns records past
 * their retention into tombstones and verify passes; it cannot change a hash, a link or any kept
 * column, delete, truncate, or undo a tombstone, and neither can the owner (even made a pruner) nor
 * the sink's writer login. Each test has its own roles and schema.
 */
class PostgresPruneTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();
    private static final String TOPIC = "gateway.requests";
    private static final String CHAIN = "gateway.requests-0";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final RetentionPolicy CALLS_90_DAYS = RetentionPolicy.of(Map.of(
            RecordClass.CALLS, Duration.ofDays(90)));

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private String owner;
    private String writer;
    private String sink;
    private String prunerGroup;
    private String pruner;
    private String schema;
    private String url;
    private List<ChainHead> heads;

    /** Five requests from 100 days ago and two from 5 days ago, appended by the sink's login. */
    @BeforeEach
    void rolesAndRecords() throws SQLException {
        String id = KafkaTestBroker.uniqueName("").replace('-', '_').toLowerCase();
        owner = "tg_audit_owner" + id;
        writer = "tg_audit_writer" + id;
        sink = "tg_audit_sink" + id;
        prunerGroup = "tg_audit_pruner" + id;
        pruner = "tg_audit_prune" + id;
        schema = "audit" + id;
        try (Connection admin = DATABASE.connect();
                Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + owner + " LOGIN PASSWORD 'owner-pw'");
            sql.execute("CREATE ROLE " + writer + " NOLOGIN");
            sql.execute("CREATE ROLE " + sink + " LOGIN PASSWORD 'sink-pw' IN ROLE " + writer);
            sql.execute("CREATE ROLE " + prunerGroup + " NOLOGIN");
            sql.execute("CREATE ROLE " + pruner + " LOGIN PASSWORD 'prune-pw' IN ROLE "
                    + prunerGroup);
            sql.execute("GRANT " + owner + " TO CURRENT_USER");
            sql.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + owner);
        }
        url = DATABASE.url() + (DATABASE.url().contains("?") ? "&" : "?") + "currentSchema="
                + schema;
        PostgresMigrations.migrate(dataSource(owner, "owner-pw"), writer, prunerGroup);
        try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
            asSink.appendAll(entries(0, 5, now.minus(Duration.ofDays(100))));
            asSink.appendAll(entries(5, 2, now.minus(Duration.ofDays(5))));
            heads = asSink.heads();
        }
    }

    @AfterEach
    void dropRolesAndSchema() throws SQLException {
        try (Connection admin = DATABASE.connect();
                Statement sql = admin.createStatement()) {
            sql.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            for (String role : List.of(pruner, prunerGroup, sink, writer, owner)) {
                sql.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    @Test
    void thePrunerTombstonesRecordsPastRetentionAndVerifyPassesWithTheSameHeads()
            throws SQLException {
        long erased = prune(CALLS_90_DAYS);

        assertThat(erased).isEqualTo(5);
        StoreVerifier.Result verified = verify(CALLS_90_DAYS);
        assertThat(verified.breaks()).isEmpty();
        assertThat(verified.tombstones()).isEqualTo(5);
        assertThat(verified.heads()).isEqualTo(heads);
        assertThat(query("SELECT count(*) FROM audit_record WHERE erased_at IS NOT NULL AND"
                + " agent_id IS NULL AND context = '' AND resource IS NULL")).isEqualTo("5");
        assertThat(query("SELECT count(*) FROM audit_record WHERE agent_id IS NOT NULL"))
                .isEqualTo("2");
        assertThat(prune(CALLS_90_DAYS)).isZero();
    }

    @Test
    void aDryRunCountsButChangesNothing() throws SQLException {
        long wouldErase = PostgresPruner.prune(dataSource(pruner, "prune-pw"), new Pruning(
                CALLS_90_DAYS, now), true, StoreVerifier.Progress.NONE, 100);

        assertThat(wouldErase).isEqualTo(5);
        assertThat(query("SELECT count(*) FROM audit_record WHERE erased_at IS NOT NULL"))
                .isEqualTo("0");
    }

    @Test
    void theSinkAppendsOnAfterPruningAndAnErasedEventIsStillADuplicate() {
        prune(CALLS_90_DAYS);

        try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
            assertThat(asSink.appendAll(entries(0, 1, now.minus(Duration.ofDays(100)))))
                    .singleElement().isInstanceOf(AuditStore.AppendResult.Duplicate.class);
            assertThat(asSink.appendAll(entries(7, 1, now)).get(0).record().sequence())
                    .isEqualTo(8);
        }
        assertThat(verify(CALLS_90_DAYS).breaks()).isEmpty();
    }

    @Test
    void thePrunersLoginCanChangeNoHashLinkOrKeptColumnNorDeleteOrTruncate() throws SQLException {
        prune(CALLS_90_DAYS);

        // not granted at all
        for (String column : List.of("hash = repeat('0', 64)", "previous_hash = repeat('0', 64)",
                "sequence = sequence + 100", "chain_id = 'other-0'", "event_id = 'x'",
                "event_type = 'AccessRefused'", "occurred_at = occurred_at - interval '1 year'",
                "source_offset = 0", "stored_at = now()")) {
            assertRefused(pruner, "prune-pw", "UPDATE audit_record SET " + column
                    + " WHERE sequence = 6", "permission denied");
        }
        assertRefused(pruner, "prune-pw", "DELETE FROM audit_record WHERE sequence = 1",
                "permission denied");
        assertRefused(pruner, "prune-pw", "TRUNCATE audit_record", "permission denied");
        assertRefused(pruner, "prune-pw", "INSERT INTO audit_record SELECT * FROM audit_record"
                + " WHERE sequence = 1", "permission denied");
        // granted columns, but refused by the trigger
        assertRefused(pruner, "prune-pw", "UPDATE audit_record SET erased_at = NULL,"
                + " erased_class = NULL, erased_retention = NULL WHERE sequence = 1",
                "is a tombstone already");
        assertRefused(pruner, "prune-pw", "UPDATE audit_record SET agent_id = 'agent-9'"
                + " WHERE sequence = 1", "is a tombstone already");
        assertRefused(pruner, "prune-pw", "UPDATE audit_record SET agent_id = 'someone-else'"
                + " WHERE sequence = 6", "only turns records into tombstones");

        assertThat(verify(CALLS_90_DAYS).breaks()).isEmpty();
        assertThat(verify(CALLS_90_DAYS).heads()).isEqualTo(heads);
    }

    @Test
    void thePrunerCannotTombstoneAYoungRecordKeepContentOrSkipAKeptRecord() {
        String tombstone = "UPDATE audit_record SET producer = NULL, request_id = NULL,"
                + " agent_id = NULL, environment = NULL, action = NULL, resource = NULL,"
                + " repository = NULL, decision = NULL, reason = NULL, policy_version = NULL,"
                + " outcome = NULL, error_class = NULL, context = '', erased_at = now(),"
                + " erased_class = 'calls', erased_retention = ";

        assertRefused(pruner, "prune-pw", tombstone + "'P90D' WHERE sequence = 6",
                "younger than the retention");
        assertRefused(pruner, "prune-pw", tombstone.replace("agent_id = NULL", "agent_id = 'x'")
                + "'P90D' WHERE sequence = 1", "carries no content");
        assertRefused(pruner, "prune-pw", tombstone + "'P90D' WHERE sequence = 3",
                "the record before it is kept");
        assertRefused(pruner, "prune-pw", tombstone.replace(", erased_class = 'calls'", "")
                + "'P90D' WHERE sequence = 1", "only turns records into tombstones");

        assertThat(query("SELECT count(*) FROM audit_record WHERE erased_at IS NOT NULL"))
                .isEqualTo("0");
    }

    /**
     * The database holds the pruner to the retention it states, not to the policy: a pruner that
     * states a short one erases early, irreversibly, but verify with the agreed policy says so.
     */
    @Test
    void aPrunerThatErasesEarlyUnderAShortRetentionIsCaughtByVerify() {
        long erased = prune(RetentionPolicy.of(Map.of(RecordClass.CALLS, Duration.ofDays(1))));

        assertThat(erased).isEqualTo(7);
        ChainBreak broken = verify(CALLS_90_DAYS).breaks().get(0);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.INVALID_TOMBSTONE);
        assertThat(broken.sequence()).isEqualTo(6);
        assertThat(broken.detail()).contains("class calls is kept P90D");
    }

    @Test
    void theOwnerEvenMadeAPrunerCannotChangeAHashOrLinkAndIsNoPrunerByDefault()
            throws SQLException {
        prune(CALLS_90_DAYS);

        assertRefused(owner, "owner-pw", "UPDATE audit_record SET agent_id = NULL, context = ''"
                + " WHERE sequence = 6", "append-only");
        assertRefused(owner, "owner-pw", "DELETE FROM audit_record WHERE sequence = 1",
                "append-only");
        assertRefused(owner, "owner-pw", "TRUNCATE audit_record", "append-only");
        try (Connection admin = DATABASE.connect();
                Statement sql = admin.createStatement()) {
            sql.execute("GRANT " + prunerGroup + " TO " + owner);
        }
        for (String change : List.of("hash = repeat('0', 64)", "previous_hash = repeat('0', 64)",
                "sequence = sequence + 100", "event_id = 'x'", "occurred_at = occurred_at"
                        + " - interval '1 year'")) {
            assertRefused(owner, "owner-pw", "UPDATE audit_record SET " + change
                    + ", erased_at = now(), erased_class = 'calls', erased_retention = 'P1D',"
                    + " producer = NULL, request_id = NULL, agent_id = NULL, environment = NULL,"
                    + " action = NULL, resource = NULL, repository = NULL, decision = NULL,"
                    + " reason = NULL, policy_version = NULL, outcome = NULL,"
                    + " error_class = NULL, context = '' WHERE sequence = 6",
                    "keeps its place, identity, time and hashes");
        }
        assertRefused(owner, "owner-pw", "DELETE FROM audit_record WHERE sequence = 1",
                "append-only");

        assertThat(verify(CALLS_90_DAYS).heads()).isEqualTo(heads);
    }

    @Test
    void theSinksWriterLoginStillCannotUpdateOrInsertATombstone() {
        prune(CALLS_90_DAYS);

        assertRefused(sink, "sink-pw", "UPDATE audit_record SET agent_id = NULL, context = '',"
                + " erased_at = now(), erased_class = 'calls', erased_retention = 'P1D'"
                + " WHERE sequence = 6", "permission denied");
        assertRefused(sink, "sink-pw", "UPDATE audit_record SET erased_at = NULL"
                + " WHERE sequence = 1", "permission denied");
        assertRefused(sink, "sink-pw", "INSERT INTO audit_record (chain_id, sequence, event_id,"
                + " event_type, source_topic, source_partition, source_offset, occurred_at,"
                + " context, previous_hash, hash, erased_at, erased_class, erased_retention)"
                + " VALUES ('" + CHAIN + "', 8, 'forged', 'ToolCallRequested', '" + TOPIC
                + "', 0, 99, now() - interval '1 year', '', repeat('0', 64), repeat('1', 64),"
                + " now(), 'calls', 'P1D')", "appended intact");

        assertThat(verify(CALLS_90_DAYS).breaks()).isEmpty();
    }

    @Test
    void aLoginOutsideThePrunerRoleGetsAClearErrorAndChangesNothing() {
        assertThatThrownBy(() -> PostgresPruner.prune(dataSource(sink, "sink-pw"), new Pruning(
                CALLS_90_DAYS, now), false, StoreVerifier.Progress.NONE, 100)).isInstanceOf(
                        AuditStoreException.class)
                .hasMessageContaining("permission denied").hasMessageContaining(
                        "log in as a member of the pruner role");

        assertThat(query("SELECT count(*) FROM audit_record WHERE erased_at IS NOT NULL"))
                .isEqualTo("0");
    }

    @Test
    void theAuditPruneCommandErasesAsThePrunerAndVerifyWithTheSamePolicyPasses(
            @TempDir Path dir) throws IOException {
        Path password = Files.writeString(dir.resolve("pruner.pw"), "prune-pw");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AuditCommand command = new AuditCommand(new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock
                        .systemUTC(),
                Map.of("TOLLGATE_AUDIT_RETENTION_CALLS", "90d"));

        int pruned = command.run("prune", "--store", "postgres", "--jdbc-url", url, "--user",
                pruner, "--password-file", password.toString());
        int verified = command.run("verify", "--store", "postgres", "--jdbc-url", url, "--user",
                pruner, "--password-file", password.toString());

        assertThat(pruned).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(AuditCommand.OK);
        assertThat(verified).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(AuditCommand.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("calls  retention=P90D  erased=5"
                + "  erased before=0  kept=2").contains("prune OK: 5 record(s) erased").contains(
                        CHAIN + "  records=7  head=7 " + heads.get(0).hash()
                                + "  tombstones=5  OK");
    }

    private long prune(RetentionPolicy policy) {
        return PostgresPruner.prune(dataSource(pruner, "prune-pw"), new Pruning(policy, now),
                false, StoreVerifier.Progress.NONE, 100);
    }

    private StoreVerifier.Result verify(RetentionPolicy policy) {
        try (AuditStore store = new PostgresAuditStore(dataSource(owner, "owner-pw"))) {
            return new StoreVerifier(Clock.systemUTC(), 100, policy).verify(store,
                    StoreVerifier.Progress.NONE);
        }
    }

    private String query(String sql) {
        try (Connection connection = dataSource(owner, "owner-pw").getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code statement} as {@code user} fails with insufficient privilege, naming {@code why}. */
    private void assertRefused(String user, String password, String statement, String why) {
        SQLException refused = null;
        try (Connection connection = dataSource(user, password).getConnection();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            refused = e;
        }

        assertThat((Throwable) refused).as(user + " ran: " + statement).isNotNull();
        assertThat(refused.getSQLState()).as(statement + ": " + refused.getMessage()).isEqualTo(
                INSUFFICIENT_PRIVILEGE);
        assertThat(refused.getMessage()).as(statement).contains(why);
    }

    private PGSimpleDataSource dataSource(String user, String password) {
        return PostgresTestDatabase.dataSource(url, user, password);
    }

    /** {@code count} requests from {@code first} on, at offsets 2i, occurring at {@code at}. */
    private static List<AuditEntry> entries(int first, int count, Instant at) {
        AuditEntries mapper = new AuditEntries();
        return IntStream.range(first, first + count).mapToObj(i -> mapper.from(TestEvents.request(
                CHAIN + "-ev-" + i, "req-" + i, "agent-" + i, "{\"title\":\"issue " + i + "\"}",
                at.plusSeconds(i)), new SourcePosition(TOPIC, 0, 2L * i, at.plusSeconds(i))))
                .toList();
    }
}
