package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Appends to a chain serialize on a lock only the writer group can take (its row of {@code
 * audit_chain_lock}, {@code SELECT ... FOR UPDATE}), never on one every login can take: an
 * advisory lock (EXECUTE on {@code pg_advisory_xact_lock} is PUBLIC's, and only a superuser can
 * take it back) let the readers' login, or any login to the database with no grant at all, hold a
 * chain's lock in a session it kept open and stop that chain's appends for as long as it liked.
 * Against the real server, with init.sh's layout (unique role and schema names, dropped after):
 * the reader and a login with no grants each hold every lock they can get (the advisory lock the
 * sink used, for the session and for an open transaction; the tables they may read, with a
 * snapshot) while the sink appends the chain's next records; the append completes, the chain
 * verifies. The lock table itself is refused to them, and its rows cannot be changed even by the
 * sink.
 */
class OnlyTheWriterCanHoldAChainTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();
    private static final String TOPIC = "gateway.requests";
    private static final String CHAIN = TOPIC + "-0";
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** How long the sink's append may take before the test gives up (it reports what it saw). */
    private static final long GIVE_UP_MILLIS = 120_000;

    private final List<Connection> held = new ArrayList<>();
    private AuditRoleLayout layout;
    private String id;
    private String schema;
    private String url;
    private String sink;
    private String reader;
    private String nobody;

    @BeforeEach
    void rolesAsInitShCreatesThemAndAChainOfThree() throws SQLException {
        layout = new AuditRoleLayout(DATABASE);
        id = layout.id;
        schema = layout.schema;
        url = layout.url;
        sink = layout.sink;
        reader = layout.reader;
        nobody = "tg_nobody" + id;
        // any other login to the database (the executors' has a schema of its own, nothing here)
        admin("CREATE ROLE " + nobody + " LOGIN PASSWORD 'nobody-pw'");
        layout.dropFirst(nobody);
        try (AuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"))) {
            asSink.appendAll(TestEvents.entries(TOPIC, 0, 3));
        }
    }

    @AfterEach
    void closeSessionsAndDropRolesAndSchema() {
        for (Connection connection : held) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing is best effort; the server ends the session either way
            }
        }
        layout.close();
    }

    @Test
    void aReaderOrALoginWithNoGrantsHoldingEveryLockItCanGetDoesNotStopAnAppend()
            throws Exception {
        Map<Integer, String> holders = new LinkedHashMap<>();
        for (String[] login : new String[][]{{reader, "reader-pw"}, {nobody, "nobody-pw"}}) {
            holders.put(holdSession(login[0], login[1], false), login[0]
                    + " (session advisory lock)");
            holders.put(holdSession(login[0], login[1], true), login[0]
                    + " (advisory lock and reads in an open transaction)");
        }
        String advisory = adminQuery("SELECT string_agg(pid::text, ',') FROM pg_locks"
                + " WHERE locktype = 'advisory' AND granted AND pid IN ("
                + holders.keySet().stream().map(String::valueOf).collect(
                        java.util.stream.Collectors.joining(","))
                + ")");
        List<AuditEntry> next = TestEvents.entries(TOPIC, 0, 5).subList(3, 5);
        PostgresAuditStore asSink = new PostgresAuditStore(dataSource(sink, "sink-pw"));

        CompletableFuture<List<AuditStore.AppendResult>> append = CompletableFuture.supplyAsync(
                () -> asSink.appendAll(next));
        String seen = waitFor(append, holders);

        assertThat(advisory).as("the reader's first session holds the advisory lock")
                .isEqualTo(holders.keySet().iterator().next().toString());
        assertThat(seen).as("the sink's append of %s#4..5 while %s hold what they can", CHAIN,
                holders.values()).isEqualTo("appended");
        assertThat(append.get()).allSatisfy(r -> assertThat(r).isInstanceOf(
                AuditStore.AppendResult.Appended.class));
        List<AuditRecord> chain = new ArrayList<>();
        asSink.readChain(CHAIN, chain::add);
        assertThat(chain).extracting(AuditRecord::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(new StoreVerifier(Clock.systemUTC(), 100).verify(asSink,
                StoreVerifier.Progress.NONE).breaks()).isEmpty();
    }

    @Test
    void theChainLockTableIsRefusedToEveryoneButTheWriterAndNobodyChangesItsRows()
            throws SQLException {
        assertThat(adminQuery("SELECT string_agg(chain_id, ',') FROM " + schema
                + ".audit_chain_lock")).as("the rows the sink's appends created").isEqualTo(CHAIN);
        for (String[] login : new String[][]{{reader, "reader-pw"}, {nobody, "nobody-pw"}}) {
            String table = schema + ".audit_chain_lock";
            for (String statement : List.of(
                    "SELECT * FROM " + table + " FOR UPDATE",
                    "SELECT * FROM " + table + " FOR KEY SHARE",
                    "SELECT * FROM " + table,
                    "LOCK TABLE " + table + " IN ACCESS SHARE MODE",
                    "INSERT INTO " + table + " VALUES ('" + CHAIN + "-decoy')",
                    "UPDATE " + table + " SET chain_id = 'x'",
                    "DELETE FROM " + table,
                    "TRUNCATE " + table)) {
                assertRefused(login[0], login[1], statement, "permission denied");
            }
        }
        // the sink locks and creates rows, and may change or remove none
        assertRefused(sink, "sink-pw", "UPDATE audit_chain_lock SET chain_id = 'x'",
                "audit_chain_lock only grows: UPDATE refused");
        assertRefused(sink, "sink-pw", "DELETE FROM audit_chain_lock", "permission denied");
        assertRefused(sink, "sink-pw", "TRUNCATE audit_chain_lock", "permission denied");
        assertRefused(sink, "sink-pw", "LOCK TABLE audit_chain_lock IN EXCLUSIVE MODE",
                "permission denied");
    }

    /**
     * A session of {@code user} that holds (unless an earlier one got it) the advisory lock the
     * sink used to serialize {@link #CHAIN} with (key and all), and with {@code inTransaction} an open transaction that also
     * holds the advisory lock, every table lock its login may take on the audit tables, and a
     * snapshot. Returns the session's backend PID.
     */
    private int holdSession(String user, String password, boolean inTransaction)
            throws SQLException {
        Connection connection = dataSource(user, password).getConnection();
        held.add(connection);
        connection.setAutoCommit(!inTransaction);
        // try: the first session gets it, and the others must not wait for each other
        try (PreparedStatement lock = connection.prepareStatement(inTransaction
                ? "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 7340))"
                : "SELECT pg_try_advisory_lock(hashtextextended(?, 7340))")) {
            lock.setString(1, "tollgate-audit:" + CHAIN);
            lock.execute();
        }
        if (inTransaction) {
            for (String attempt : List.of("LOCK TABLE audit_record IN ACCESS SHARE MODE",
                    "SELECT count(*) FROM audit_record",
                    "SELECT * FROM audit_record FOR KEY SHARE",
                    "LOCK TABLE audit_chain_lock IN ACCESS SHARE MODE",
                    "SELECT * FROM audit_chain_lock FOR KEY SHARE")) {
                tryInSavepoint(connection, attempt);
            }
        }
        try (Statement sql = connection.createStatement();
                ResultSet pid = sql.executeQuery("SELECT pg_backend_pid()")) {
            pid.next();
            return pid.getInt(1);
        }
    }

    /** Runs {@code statement}, keeping the transaction usable when it is refused. */
    private static void tryInSavepoint(Connection connection, String statement)
            throws SQLException {
        var savepoint = connection.setSavepoint();
        try (Statement sql = connection.createStatement()) {
            sql.execute(statement);
            connection.releaseSavepoint(savepoint);
        } catch (SQLException refused) {
            connection.rollback(savepoint);
        }
    }

    /**
     * Waits until the append finishes ({@code "appended"}) or the server shows the sink's session
     * blocked by one of {@code holders} (what it waits on), or gives up after {@link
     * #GIVE_UP_MILLIS}, saying what the sink's sessions were doing.
     */
    private String waitFor(CompletableFuture<?> append, Map<Integer, String> holders)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS);
        String last = "no session of " + sink + " seen";
        while (System.nanoTime() < deadline) {
            if (append.isDone()) {
                append.get();
                return "appended";
            }
            List<String> sessions = new ArrayList<>();
            try (Connection connection = DATABASE.connect();
                    PreparedStatement sql = connection.prepareStatement("SELECT a.pid,"
                            + " pg_blocking_pids(a.pid), l.locktype, l.objid FROM pg_stat_activity a"
                            + " LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted"
                            + " WHERE a.usename = ?")) {
                sql.setString(1, sink);
                try (ResultSet rows = sql.executeQuery()) {
                    while (rows.next()) {
                        List<String> blockers = new ArrayList<>();
                        for (Integer pid : (Integer[]) rows.getArray(2).getArray()) {
                            blockers.add(pid + (holders.containsKey(pid)
                                    ? " = " + holders.get(pid)
                                    : ""));
                        }
                        sessions.add("pid " + rows.getInt(1) + " waiting for "
                                + rows.getString(3) + " lock held by " + blockers);
                        if (blockers.stream().anyMatch(b -> b.contains(" = "))) {
                            return "blocked: " + sessions;
                        }
                    }
                }
            }
            if (!sessions.isEmpty()) {
                last = String.join("; ", sessions);
            }
            try {
                append.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException notYet) {
                // looked at again at the top of the loop
            }
        }
        return "still not appended after " + GIVE_UP_MILLIS + " ms; the sink's sessions: " + last;
    }

    private void assertRefused(String user, String password, String statement, String why) {
        Throwable refused = catchThrowable(() -> {
            try (Connection connection = dataSource(user, password).getConnection();
                    Statement sql = connection.createStatement()) {
                connection.setAutoCommit(false);
                sql.execute(statement);
            }
        });

        assertThat(refused).as(user + " ran: " + statement).isInstanceOf(SQLException.class);
        assertThat(((SQLException) refused).getSQLState()).as(statement + ": " + refused
                .getMessage()).isEqualTo(INSUFFICIENT_PRIVILEGE);
        assertThat(refused.getMessage()).as(statement).contains(why);
    }

    private static void admin(String statement) {
        DATABASE.execute(statement);
    }

    private static String adminQuery(String statement) throws SQLException {
        return DATABASE.queryOne(statement);
    }

    private PGSimpleDataSource dataSource(String user, String password) {
        return PostgresTestDatabase.dataSource(url, user, password);
    }
}
