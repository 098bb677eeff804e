package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.audit.postgres.PostgresAuditStore;
import dev.tollgate.audit.postgres.PostgresMigrations;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.postgresql.ds.PGSimpleDataSource;

class AuditCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(
                err, true, StandardCharsets.UTF_8), Clock.systemUTC(), env).run(args);
    }

    private int run(String... args) {
        return run(Map.of(), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private List<ChainHead> embeddedStoreWithTwoChains() {
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            store.appendAll(TestEvents.entries("gateway.requests", 0, 5));
            store.appendAll(TestEvents.entries("gateway.results", 1, 3));
            return store.heads();
        }
    }

    @Test
    void verifyPassesAnIntactStoreAndPrintsEveryHead() {
        List<ChainHead> heads = embeddedStoreWithTwoChains();

        int status = run("verify", "--store", "embedded", "--dir", dir.toString());

        assertThat(status).isZero();
        assertThat(out()).contains("gateway.requests-0  records=5  head=5 " + heads.get(0).hash()
                + "  OK").contains("gateway.results-1  records=3  head=3 " + heads.get(1).hash()
                        + "  OK");
        String summary = out().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(summary)
                .startsWith("verify OK: 8 records in 2 chains, heads gateway.requests-0@5="
                        + heads.get(0).hash() + ", gateway.results-1@3=" + heads.get(1).hash())
                .contains(
                        "(took ");
    }

    @Test
    void verifyFailsATamperedStoreNamingTheRecordAndWhy() throws IOException {
        embeddedStoreWithTwoChains();
        Path file = dir.resolve("chains/gateway.requests-0.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        AuditRecord victim = CanonicalEncoding.parseLine(lines.get(1));
        lines.set(1, lines.get(1).replace("\"agentId\":\"agent-1\"", "\"agentId\":\"agent-2\""));
        Files.write(file, lines);

        int status = run("verify", "--store", "embedded", "--dir", dir.toString());

        assertThat(status).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("BROKEN  HASH_MISMATCH at gateway.requests-0#2 (event "
                + victim.eventId() + ", offset 2)").contains("gateway.results-1  records=3")
                .contains("verify FAILED: 1 of 2 chains broken");
    }

    @Test
    void verifyListsEveryEventIdConflictAndExitsWithItsOwnStatus() {
        dev.tollgate.audit.core.AuditEntries entries = new dev.tollgate.audit.core.AuditEntries();
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir)) {
            store.append(entries.from(TestEvents.accessRefused("ev-x", "decoy"),
                    new dev.tollgate.audit.core.SourcePosition("gateway.refusals", 0, 0,
                            TestEvents.T0)));
            store.append(entries.from(TestEvents.result("ev-x", "req-1",
                    dev.tollgate.events.CallStatus.DENIED, "denied"),
                    new dev.tollgate.audit.core.SourcePosition("gateway.results", 0, 0,
                            TestEvents.T0)));
        }

        int status = run("verify", "--store", "embedded", "--dir", dir.toString());
        int json = run("verify", "--store", "embedded", "--dir", dir.toString(), "--json");

        assertThat(status).isEqualTo(AuditCommand.CONFLICTS);
        assertThat(json).isEqualTo(AuditCommand.CONFLICTS);
        assertThat(out()).contains("CONFLICT event ID ev-x: a AccessRefused on gateway.refusals"
                + " (gateway.refusals-0 #1) and a ToolCallCompleted on gateway.results"
                + " (gateway.results-0 #1) as conflict:ev-x~")
                .contains("1 EVENT ID CONFLICT(S)").contains("verify OK: ")
                .contains(
                        "\"conflicts\":[{\"event_id\":\"ev-x\",\"kept\":{\"event_id\":\"conflict:ev-x~");
    }

    @Test
    void verifyShowsProgressOnLongRuns() {
        embeddedStoreWithTwoChains();

        run("verify", "--store", "embedded", "--dir", dir.toString(), "--progress-every", "3");

        assertThat(err()).contains("verify: 3 records checked").contains(
                "verify: 6 records checked");
    }

    @Test
    void verifyChecksAPostgresStoreAndCatchesATamperedRow() throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String url = database.freshSchemaUrl("audit_cmd");
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser(database.user());
        source.setPassword(database.password());
        PostgresMigrations.migrate(source);
        new PostgresAuditStore(source).appendAll(TestEvents.entries("gateway.requests", 0, 4));
        Path passwordFile = dir.resolve("pw");
        Files.writeString(passwordFile, database.password() + "\n");

        int intact = run("verify", "--store", "postgres", "--jdbc-url", url, "--user", database
                .user(), "--password-file", passwordFile.toString());
        try (Connection c = DriverManager.getConnection(url, database.user(), database
                .password()); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_record DISABLE TRIGGER USER");
            s.execute("DELETE FROM audit_record WHERE sequence = 2");
        }
        int tampered = run(Map.of("TOLLGATE_AUDIT_POSTGRES_USER", database.user(),
                "TOLLGATE_AUDIT_POSTGRES_PASSWORD", database.password()), "verify", "--store",
                "postgres", "--jdbc-url", url);

        assertThat(intact).isZero();
        assertThat(tampered).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("GAP at gateway.requests-0#3");
        assertThat(err()).doesNotContain(database.password() + "@");
    }

    @Test
    void migrateCreatesThePostgresSchemaOnceAndVerifyThenPassesAnEmptyStore() throws IOException {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String url = database.freshSchemaUrl("audit_migrate");
        Path passwordFile = dir.resolve("pw");
        Files.writeString(passwordFile, database.password());

        int first = run("migrate", "--store", "postgres", "--jdbc-url", url, "--user", database
                .user(), "--password-file", passwordFile.toString());
        int second = run("migrate", "--store", "postgres", "--jdbc-url", url, "--user", database
                .user(), "--password-file", passwordFile.toString());
        int verify = run("verify", "--store", "postgres", "--jdbc-url", url, "--user", database
                .user(), "--password-file", passwordFile.toString());

        assertThat(first).isZero();
        assertThat(second).isZero();
        assertThat(verify).isZero();
        assertThat(out()).contains("migrate OK: 6 migration(s) applied").contains(
                "migrate OK: 0 migration(s) applied").contains("verify OK: 0 records in 0 chains")
                .doesNotContain(database.password() + "@");
    }

    /**
     * A migration waits for every transaction on a table it needs, and appends queue behind it
     * meanwhile: {@code migrate} gives up after its lock timeout, applies nothing, says why.
     */
    @Test
    void migrateGivesUpWaitingForALockAfterItsTimeoutChangingNothingAndSaysWhy()
            throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String url = database.freshSchemaUrl("audit_migrate_lock");
        Path passwordFile = dir.resolve("pw");
        Files.writeString(passwordFile, database.password());
        String[] migrate = {"migrate", "--store", "postgres", "--jdbc-url", url, "--user",
                database.user(), "--password-file", passwordFile.toString(), "--lock-timeout",
                "1s"};
        assertThat(run(migrate)).isZero();
        int status;
        java.util.concurrent.ExecutorService running = java.util.concurrent.Executors
                .newSingleThreadExecutor();
        // a session holding a lock on a table the run reads (as a long-open transaction holds
        // one on a table a migration alters)
        try (Connection holder = DriverManager.getConnection(url, database.user(), database
                .password())) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE audit_schema_history IN ACCESS EXCLUSIVE MODE");
            }
            java.util.concurrent.Future<Integer> run = running.submit(() -> run(migrate));
            try {
                status = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("migrate --lock-timeout 1s was still waiting for the lock"
                        + " after 60 s; its output so far: " + out() + err(), e);
            } finally {
                holder.rollback();
            }
        } finally {
            running.shutdownNow();
        }

        assertThat(status).as(err()).isEqualTo(AuditCommand.UNAVAILABLE);
        assertThat(err()).contains("gave up after waiting 1000 ms for a lock").contains(
                "pg_stat_activity");
        assertThat(run(migrate)).as("once the lock is free").isZero();
        assertThat(run("migrate", "--store", "postgres", "--jdbc-url", url, "--user", database
                .user(), "--password-file", passwordFile.toString(), "--lock-timeout", "soon"))
                .isEqualTo(AuditCommand.USAGE);
        assertThat(err()).contains("--lock-timeout soon is not a duration");
    }

    @Test
    void exportWritesATimeRangeAsStableJsonLines() throws IOException {
        List<ChainHead> heads = embeddedStoreWithTwoChains();
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");

        int status = run("export", "--store", "embedded", "--dir", dir.toString(), "--from",
                "2026-11-21T10:00:01Z", "--to", "2026-11-22", "--out", first.toString());
        run("export", "--store", "embedded", "--dir", dir.toString(), "--from",
                "2026-11-21T10:00:01Z", "--to", "2026-11-22", "--out", second.toString());

        assertThat(status).isZero();
        List<String> lines = Files.readAllLines(first);
        assertThat(lines).hasSize(6);
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first));
        List<AuditRecord> records = lines.stream().map(CanonicalEncoding::parseLine).toList();
        assertThat(records).allMatch(r -> CanonicalEncoding.recomputeHash(r).equals(r.hash()));
        assertThat(records).extracting(r -> r.chainId() + "#" + r.sequence()).containsExactly(
                "gateway.requests-0#2", "gateway.results-1#2", "gateway.requests-0#3",
                "gateway.results-1#3", "gateway.requests-0#4", "gateway.requests-0#5");
        assertThat(lines.get(0)).startsWith("{\"v\":1,\"chainId\":\"gateway.requests-0\","
                + "\"sequence\":2,\"eventId\":");
        assertThat(out()).contains("export OK: 6 records in 2 chains, heads gateway.requests-0@5="
                + heads.get(0).hash() + ", gateway.results-1@3=" + heads.get(1).hash());
    }

    @Test
    void exportToStandardOutputKeepsTheSummaryOnStandardError() {
        embeddedStoreWithTwoChains();

        int status = run("export", "--store", "embedded", "--dir", dir.toString());

        assertThat(status).isZero();
        assertThat(out().lines()).hasSize(8).allMatch(l -> l.startsWith("{\"v\":1,"));
        assertThat(err()).contains("export OK: 8 records in 2 chains");
    }

    @Test
    void verifyJsonGivesEveryChainItsHeadAndTheFirstBreak() throws IOException {
        List<ChainHead> heads = embeddedStoreWithTwoChains();
        Path file = dir.resolve("chains/gateway.requests-0.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        AuditRecord victim = CanonicalEncoding.parseLine(lines.get(1));
        lines.set(1, lines.get(1).replace("\"agentId\":\"agent-1\"", "\"agentId\":\"agent-2\""));
        Files.write(file, lines);

        int status = run("verify", "--store", "embedded", "--dir", dir.toString(), "--json");

        JsonNode json = new ObjectMapper().readTree(out());
        assertThat(status).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out().strip().lines()).hasSize(1);
        assertThat(json.path("format").asText()).isEqualTo("tollgate.audit.verify/1");
        assertThat(json.path("store").asText()).isEqualTo("embedded store " + dir);
        assertThat(json.path("ok").asBoolean(true)).isFalse();
        assertThat(json.path("records").asLong()).isEqualTo(8);
        assertThat(json.path("broken").asInt()).isEqualTo(1);
        JsonNode requests = json.path("chains").get(0);
        assertThat(requests.path("chain").asText()).isEqualTo("gateway.requests-0");
        assertThat(requests.path("ok").asBoolean(true)).isFalse();
        assertThat(requests.path("break").path("kind").asText()).isEqualTo("HASH_MISMATCH");
        assertThat(requests.path("break").path("sequence").asLong()).isEqualTo(2);
        assertThat(requests.path("break").path("event_id").asText()).isEqualTo(victim.eventId());
        assertThat(requests.path("break").path("source_offset").asLong()).isEqualTo(2);
        JsonNode results = json.path("chains").get(1);
        assertThat(results.path("ok").asBoolean()).isTrue();
        assertThat(results.path("break").isNull()).isTrue();
        assertThat(results.path("head").path("sequence").asLong()).isEqualTo(3);
        assertThat(results.path("head").path("hash").asText()).isEqualTo(heads.get(1).hash());
    }

    @Test
    void helpExitsZeroOnStandardOutput() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("verify").contains("export").contains("replay").contains(
                "migrate");
        out.reset();
        assertThat(run("verify", "--help")).isZero();
        assertThat(out()).contains("--store").contains("--json");
        out.reset();
        assertThat(run("help", "replay")).isZero();
        assertThat(out()).contains("--bootstrap-servers").contains("--into-store");
        assertThat(err()).isEmpty();
    }

    @Test
    void optionsTakeTheirValueAfterAnEqualsSignToo() {
        embeddedStoreWithTwoChains();

        int status = run("verify", "--store=embedded", "--dir=" + dir, "--progress-every=3");

        assertThat(status).isZero();
        assertThat(out()).contains("verify OK: 8 records in 2 chains");
        assertThat(err()).contains("verify: 6 records checked");
    }

    @Test
    void wrongCommandLinesNameTheFix() {
        assertThat(run("verify")).isEqualTo(AuditCommand.USAGE);
        assertThat(err()).contains("--store is missing: give --store postgres --jdbc-url URL");
        assertThat(run("verify", "--store", "embedded", "--dir", dir.resolve("none").toString()))
                .isEqualTo(AuditCommand.UNAVAILABLE);
        assertThat(err()).contains("holds no audit store");
        assertThat(run("export", "--store", "embedded", "--dir", dir.toString(), "--from",
                "yesterday")).isEqualTo(AuditCommand.USAGE);
        assertThat(err()).contains("yesterday is not a time");
        assertThat(run("frobnicate")).isEqualTo(AuditCommand.USAGE);
        assertThat(err()).contains("unknown command 'frobnicate': use verify, export, replay,"
                + " prune, migrate");
        assertThat(run("verify", "--store", "embedded", "--dir", dir.toString(), "--verbose"))
                .isEqualTo(AuditCommand.USAGE);
        assertThat(err()).contains("unknown option --verbose");
        assertThat(run("verify", "--store", "postgres", "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:1/x"))
                .isEqualTo(AuditCommand.UNAVAILABLE);
    }
}
