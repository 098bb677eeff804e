package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code audit prune} and {@code audit verify --retention} on a real embedded store: progress and
 * a per-class summary, a dry run that changes nothing, the policy from the environment, and wrong
 * command lines or a store in use that get a clear message, their exit status, and no change.
 */
class PruneCommandTest {

    private static final Instant NOW = TestEvents.T0.plus(Duration.ofDays(100));

    @TempDir
    Path dir;

    private Path store;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Requests: five from 100 days ago and two from 5 days ago; one refusal from 100 days ago. */
    @BeforeEach
    void store() {
        store = dir.resolve("store");
        AuditEntries mapper = new AuditEntries();
        List<AuditEntry> entries = new ArrayList<>();
        IntStream.range(0, 7).forEach(i -> {
            Instant at = i < 5 ? TestEvents.T0.plusSeconds(i) : NOW.minus(Duration.ofDays(5));
            entries.add(mapper.from(TestEvents.request("ev-" + i, "req-" + i, "agent-" + i,
                    "{\"title\":\"issue " + i + "\"}", at),
                    new SourcePosition("gateway.requests",
                            0, 2L * i, at)));
        });
        entries.add(mapper.from(TestEvents.accessRefused("refused-1", "bad token"),
                new SourcePosition("gateway.refusals", 0, 0, TestEvents.T0)));
        try (EmbeddedAuditStore audit = EmbeddedAuditStore.open(store)) {
            audit.appendAll(entries);
        }
    }

    @Test
    void pruneErasesPastRetentionPrintsASummaryAndVerifyWithTheSamePolicyPasses() {
        int pruned = run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString(),
                "--retention", "calls=90d", "--progress-every", "3");

        assertThat(pruned).as(err()).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("calls  retention=P90D  erased=5  erased before=0  kept=2"
                + "  oldest kept=2027-02-24T10:00:00Z").contains(
                        "refusals  retention=forever  erased=0  erased before=0  kept=1")
                .contains(
                        "prune OK: 5 record(s) erased");
        assertThat(err()).contains("prune: erasing records past their retention in embedded"
                + " store").contains("calls=P90D, refusals=forever").contains(
                        "prune: 3 records examined");

        int verified = run(Map.of(), "verify", "--store", "embedded", "--dir", store.toString(),
                "--retention", "calls=90d");

        assertThat(verified).as(out()).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("gateway.requests-0  records=7  head=7 ").contains(
                "tombstones=5  OK").contains(
                        "verify OK: 5 tombstone(s), erased as the retention"
                                + " allows (calls=P90D,");
    }

    @Test
    void verifyWithoutThePolicyFailsAPrunedStoreAndSaysWhy() {
        run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString(), "--retention",
                "calls=90d");

        int verified = run(Map.of(), "verify", "--store", "embedded", "--dir", store.toString());

        assertThat(verified).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("BROKEN  INVALID_TOMBSTONE at gateway.requests-0#1").contains(
                "class calls is kept forever");
    }

    @Test
    void verifyJsonCountsTombstonesAndNamesThePolicy() {
        run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString(), "--retention",
                "calls=90d");

        int verified = run(Map.of(), "verify", "--store", "embedded", "--dir", store.toString(),
                "--retention", "calls=90d", "--json");

        assertThat(verified).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("\"tombstones\":5").contains("\"retention\":\"calls=P90D,")
                .contains("\"chain\":\"gateway.requests-0\",\"records\":7,\"ok\":true,"
                        + "\"tombstones\":5");
    }

    @Test
    void theRetentionComesFromTheEnvironmentTooAndTheCommandLineWins() throws IOException {
        byte[] before = chainBytes();

        int pruned = run(Map.of("TOLLGATE_AUDIT_RETENTION_CALLS", "90d",
                "TOLLGATE_AUDIT_RETENTION_REFUSALS", "30d"), "prune", "--store", "embedded",
                "--dir", store.toString(), "--retention", "calls=forever");

        assertThat(pruned).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("calls  retention=forever  erased=0").contains(
                "refusals  retention=P30D  erased=1");
        assertThat(chainBytes()).isEqualTo(before);
    }

    @Test
    void aDryRunSaysWhatItWouldEraseAndChangesNothing() throws IOException {
        byte[] before = chainBytes();

        int pruned = run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString(),
                "--retention", "calls=90d", "--dry-run");

        assertThat(pruned).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("calls  retention=P90D  would erase=5").contains(
                "prune (dry run, nothing is changed) OK: 5 record(s) would be erased");
        assertThat(chainBytes()).isEqualTo(before);
    }

    @Test
    void aPolicyThatKeepsEverythingErasesNothing() throws IOException {
        byte[] before = chainBytes();

        int pruned = run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString());

        assertThat(pruned).isEqualTo(AuditCommand.OK);
        assertThat(out()).contains("every record class is kept forever, nothing to erase");
        assertThat(chainBytes()).isEqualTo(before);
    }

    @Test
    void wrongCommandLinesNameTheFixExitTwoAndChangeNothing() throws IOException {
        byte[] before = chainBytes();
        Map<String[], String> cases = Map.of(
                new String[]{"prune", "--store", "embedded", "--dir", store.toString(),
                        "--retention", "call=90d"},
                "'call' is not a record class",
                new String[]{"prune", "--store", "embedded", "--dir", store.toString(),
                        "--retention", "calls=ninety"},
                "tollgate.audit.retention.calls=ninety is not a retention",
                new String[]{"prune", "--store", "embedded", "--dir", store.toString(),
                        "--retention", "calls"},
                "write CLASS=DURATION",
                new String[]{"prune", "--retention", "calls=90d"}, "--store is missing",
                new String[]{"verify", "--store", "embedded", "--dir", store.toString(),
                        "--retention", "calls=0d"},
                "must be longer than zero");

        cases.forEach((args, why) -> {
            int status = run(Map.of(), args);

            assertThat(status).as(String.join(" ", args)).isEqualTo(AuditCommand.USAGE);
            assertThat(err()).as(String.join(" ", args)).contains(why);
        });
        assertThat(chainBytes()).isEqualTo(before);
    }

    @Test
    void aStoreInUseOrMissingOrUnreachableExitsThreeAndChangesNothing() throws IOException {
        byte[] before = chainBytes();

        try (EmbeddedAuditStore sink = EmbeddedAuditStore.open(store)) {
            int status = run(Map.of(), "prune", "--store", "embedded", "--dir", store.toString(),
                    "--retention", "calls=90d");

            assertThat(status).isEqualTo(AuditCommand.UNAVAILABLE);
            assertThat(err()).contains("is open (is the sink running?)").contains(
                    "nothing was changed");
        }
        assertThat(chainBytes()).isEqualTo(before);
        assertThat(run(Map.of(), "prune", "--store", "embedded", "--dir", dir.resolve("nothing")
                .toString(), "--retention", "calls=90d")).isEqualTo(AuditCommand.UNAVAILABLE);
        assertThat(err()).contains("holds no audit store");
        assertThat(run(Map.of(), "prune", "--store", "postgres", "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2", "--user", "nobody",
                "--retention", "calls=90d")).isEqualTo(AuditCommand.UNAVAILABLE);
        assertThat(err()).contains("audit: pruning the audit store failed");
    }

    private byte[] chainBytes() throws IOException {
        return Files.readAllBytes(store.resolve("chains").resolve("gateway.requests-0.jsonl"));
    }

    private int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(
                err, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC), env).run(
                        args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
