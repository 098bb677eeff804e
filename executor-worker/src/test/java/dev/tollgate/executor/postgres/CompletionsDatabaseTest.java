package dev.tollgate.executor.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.JdbcCompletionStore;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The completion record as deployments open it, against the real PostgreSQL 15 of these machines:
 * a bounded pool of connections, however many calls run at once; tables by Flyway, keeping the
 * rows of tables created before Flyway managed them; a readable failure that never shows the
 * password.
 */
class CompletionsDatabaseTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"),
            ZoneOffset.UTC);

    private final PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
    private final String url = database.freshSchemaUrl("completions_db");

    static ToolCallCompleted completed(String requestId) {
        return ToolCallCompleted.newBuilder().setMeta(EventMetas.create("executor-worker",
                requestId, CLOCK)).setAgentId("a").setEnvironment("e").setTool("create_issue")
                .setStatus(CallStatus.SUCCEEDED).setMessage("done").setResultJson(
                        "{\"number\":1}")
                .setAttempts(1).build();
    }

    private int connectionsNamed(String applicationName) throws SQLException {
        try (Connection connection = database.connect();
                PreparedStatement count = connection.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            count.setString(1, applicationName);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    @Test
    void manyCallsAtOnceShareAPoolThatNeverGrowsPastItsSize() throws Exception {
        String name = "tollgate-test-" + UUID.randomUUID().toString().substring(0, 8);
        int poolSize = 3;
        try (JdbcCompletionStore store = CompletionsDatabase.open(url, database.user(), database
                .password(), poolSize, CLOCK, name, Duration.ofSeconds(30))) {
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<?>> calls = new ArrayList<>();
            List<Integer> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 400; i++) {
                String requestId = "r-" + i;
                calls.add(callers.submit(() -> {
                    store.firstAttempt(requestId);
                    store.record(completed(requestId));
                    assertThat(store.find(requestId)).isPresent();
                    if (requestId.endsWith("0")) {
                        seen.add(connectionsNamed(name));
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
            callers.shutdown();

            assertThat(seen).as("connections open at once, sampled during 1,200 calls from 16"
                    + " threads").isNotEmpty().allSatisfy(open -> assertThat(open)
                            .isBetween(1, poolSize));
        }
        assertThat(connectionsNamed(name)).as("connections left once the store is closed")
                .isZero();
    }

    @Test
    void tablesFromBeforeFlywayAreBaselinedAndKeepTheirRows() throws Exception {
        ToolCallCompleted earlier = completed("r-before-flyway");
        try (Connection connection = DriverManager.getConnection(url, database.user(), database
                .password()); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE executor_completions (request_id text PRIMARY KEY,"
                    + " completed bytea NOT NULL, recorded_at timestamptz NOT NULL)");
            statement.execute("CREATE TABLE executor_attempts (request_id text PRIMARY KEY,"
                    + " attempted_at timestamptz NOT NULL)");
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO executor_completions VALUES (?, ?, ?)")) {
                insert.setString(1, "r-before-flyway");
                insert.setBytes(2, AvroSingleObjectCodec.shared().encode(earlier));
                insert.setTimestamp(3, Timestamp.from(CLOCK.instant()));
                insert.executeUpdate();
            }
            statement.execute("INSERT INTO executor_attempts VALUES ('r-attempted', now())");
        }

        try (JdbcCompletionStore store = CompletionsDatabase.open(url, database.user(), database
                .password(), 2, CLOCK)) {
            assertThat(store.find("r-before-flyway")).contains(earlier);
            assertThat(store.firstAttempt("r-attempted")).isFalse();
        }
        try (Connection connection = DriverManager.getConnection(url, database.user(), database
                .password());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version, success FROM"
                        + " executor_schema_history ORDER BY installed_rank")) {
            List<String> history = new ArrayList<>();
            while (rows.next()) {
                history.add(rows.getString(1) + ":" + rows.getBoolean(2));
            }
            assertThat(history).containsExactly("0:true", "1:true");
        }
    }

    @Test
    void aSecondOpenOfAMigratedSchemaChangesNothing() throws Exception {
        try (JdbcCompletionStore first = CompletionsDatabase.open(url, database.user(), database
                .password(), 2, CLOCK)) {
            first.record(completed("r-kept"));
        }
        try (JdbcCompletionStore again = CompletionsDatabase.open(url, database.user(), database
                .password(), 2, CLOCK)) {
            assertThat(again.find("r-kept")).isPresent();
        }
    }

    @Test
    void anUnreachableDatabaseFailsAtStartNamingTheUrlButNeverThePassword() {
        String password = "s3cret-" + UUID.randomUUID();
        String unreachable = "jdbc:postgresql://127.0.0.1:1/tollgate";

        assertThatThrownBy(() -> CompletionsDatabase.open(unreachable, "tollgate", password, 2,
                CLOCK, "tollgate-test", Duration.ofMillis(500)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(
                        "cannot open the completion record at " + unreachable)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
    }

    @Test
    void aPoolOfNoConnectionsIsRefused() {
        assertThatThrownBy(() -> CompletionsDatabase.open(url, database.user(), database
                .password(), 0, CLOCK)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tollgate.executor.completions.pool-size=0");
    }
}
