package dev.tollgate.audit;

import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.ChainReport;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.postgres.PostgresMigrations;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The operators' and compliance teams' audit commands:
 *
 * <pre>
 * verify --store postgres --jdbc-url URL [--user U] [--password-file F] [--progress-every N]
 * verify --store embedded --dir DIR
 * export --store ... [--from TIME] [--to TIME] [--out FILE]
 * migrate --store postgres --jdbc-url URL --user OWNER [--password-file F] [--writer-role R]
 * replay --bootstrap-servers HOST:PORT [--from TIME | --from-offset N] [--agent A] [--repository O/R]
 *        [--action A] [--request-id R] (--out FILE | --into-store ...)
 * </pre>
 *
 * Exit status: 0 success, 1 the store failed verification, 2 the command line or configuration is
 * wrong, 3 the store or broker could not be read.
 */
public final class AuditCommand {

    public static final int OK = 0;
    public static final int VERIFICATION_FAILED = 1;
    public static final int USAGE = 2;
    public static final int UNAVAILABLE = 3;

    private static final String USAGE_TEXT = """
            usage: audit verify --store postgres --jdbc-url URL [--user U] [--password-file F]
                   audit verify --store embedded --dir DIR
                   audit export (store options) [--from TIME] [--to TIME] [--out FILE]
                   audit replay --bootstrap-servers HOST:PORT [--from TIME | --from-offset N]
                                [--agent A] [--repository OWNER/REPO] [--action A] [--request-id R]
                                (--out FILE | --into-store postgres|embedded --into-jdbc-url URL | --into-dir DIR)
                   audit migrate --store postgres --jdbc-url URL --user SCHEMA_OWNER [--password-file F]
                                 [--writer-role tollgate_audit_writer]
            TIME is an ISO-8601 instant (2026-11-21T10:00:00Z) or a date (2026-11-21, UTC midnight).
            Passwords: --password-file, or TOLLGATE_AUDIT_POSTGRES_PASSWORD(_FILE).""";

    private static final Set<String> STORE_OPTIONS = Set.of("--store", "--jdbc-url", "--user",
            "--password-file", "--dir", "--progress-every");

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Map<String, String> env;

    public AuditCommand(PrintStream out, PrintStream err, Clock clock, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new AuditCommand(System.out, System.err, Clock.systemUTC(), System.getenv())
                .run(args));
    }

    /** Runs one command; returns the exit status. */
    public int run(String... args) {
        if (args.length == 0) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "verify" -> verify(new Arguments(rest, STORE_OPTIONS));
                case "export" -> export(new Arguments(rest, union(STORE_OPTIONS, Set.of("--from",
                        "--to", "--out"))));
                case "replay" -> ReplayCommand.run(rest, out, err, clock, env);
                case "migrate" -> migrate(new Arguments(rest, union(STORE_OPTIONS, Set.of(
                        "--writer-role"))));
                case "help", "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    yield OK;
                }
                default -> throw new UsageException("unknown command " + args[0]
                        + ": use verify, export or replay");
            };
        } catch (UsageException e) {
            err.println("audit: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        } catch (AuditStoreException | UncheckedIOException e) {
            err.println("audit: " + e.getMessage());
            return UNAVAILABLE;
        }
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private int verify(Arguments args) {
        StoreOptions options = StoreOptions.from(args, env);
        long every = args.longValue("--progress-every", 10_000);
        err.println("verify: checking " + options.describe());
        StoreVerifier.Result result;
        try (AuditStore store = options.openForReading()) {
            result = new StoreVerifier(clock, every).verify(store, (records,
                    chainId) -> err.println("verify: " + records + " records checked (now "
                            + chainId + ")"));
        }
        for (ChainReport chain : result.chains()) {
            String head = chain.head().map(h -> h.sequence() + " " + h.hash()).orElse("(empty)");
            out.println(chain.chainId() + "  records=" + chain.records() + "  head=" + head
                    + (chain.resets().isEmpty() ? "" : "  resets=" + chain.resets().size())
                    + "  " + chain.firstBreak().map(b -> "BROKEN  " + b.describe()).orElse(
                            "OK"));
            // Every source reset is shown: compare each with what operations did at that time.
            chain.resets().forEach(reset -> out.println("  source reset " + chain.chainId()
                    + reset.describe()));
        }
        long broken = result.breaks().size();
        long resets = result.resets();
        out.println((broken == 0
                ? "verify OK: "
                : "verify FAILED: " + broken + " of " + result
                        .chains().size() + " chains broken; ")
                + (resets == 0 ? "" : resets + " source reset(s) recorded (listed above); ")
                + summary(result.records(), result
                        .heads(), result.took()));
        return broken == 0 ? OK : VERIFICATION_FAILED;
    }

    private int migrate(Arguments args) {
        StoreOptions options = StoreOptions.from(args, env);
        if (!options.kind().equals("postgres")) {
            throw new UsageException(
                    "migrate is for --store postgres; the embedded store needs none");
        }
        String role = args.value("--writer-role").orElse(PostgresMigrations.DEFAULT_WRITER_ROLE);
        try {
            MigrateResult result = PostgresMigrations.migrate(options.dataSource(), role);
            out.println("migrate OK: " + result.migrationsExecuted + " migration(s) applied to "
                    + options.describe() + ", schema version " + (result.targetSchemaVersion == null
                            ? result.initialSchemaVersion
                            : result.targetSchemaVersion)
                    + ", writer role " + role);
            return OK;
        } catch (FlywayException e) {
            err.println("audit: migrate failed: " + e.getMessage());
            return UNAVAILABLE;
        }
    }

    private int export(Arguments args) {
        StoreOptions options = StoreOptions.from(args, env);
        long every = args.longValue("--progress-every", 10_000);
        Instant from = args.value("--from").map(AuditCommand::time).orElse(null);
        Instant to = args.value("--to").map(AuditCommand::time).orElse(null);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new UsageException("--from " + from + " must be before --to " + to);
        }
        Instant started = clock.instant();
        Map<String, ChainHead> lastPerChain = new TreeMap<>();
        long[] count = {0};
        Path file = args.value("--out").map(Path::of).orElse(null);
        PrintStream report = file == null ? err : out;
        try (AuditStore store = options.openForReading();
                Writer writer = file == null
                        ? new BufferedWriter(
                                new OutputStreamWriter(unclosable(out), StandardCharsets.UTF_8))
                        : Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            store.readRange(from, to, record -> {
                write(writer, record);
                lastPerChain.put(record.chainId(), new ChainHead(record.chainId(), record
                        .sequence(), record.hash()));
                if (++count[0] % every == 0) {
                    err.println("export: " + count[0] + " records written");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("writing the export failed: " + e.getMessage(), e);
        }
        report.println("export OK: " + summary(count[0], List.copyOf(lastPerChain.values()),
                Duration.between(started, clock.instant())) + (file == null ? "" : " -> " + file));
        return OK;
    }

    /** Standard output is flushed at the end, never closed. */
    private static java.io.OutputStream unclosable(PrintStream stream) {
        return new java.io.FilterOutputStream(stream) {
            @Override
            public void write(byte[] b, int off, int len) {
                stream.write(b, off, len);
            }

            @Override
            public void close() {
                stream.flush();
            }
        };
    }

    private static void write(Writer writer, AuditRecord record) {
        try {
            writer.write(CanonicalEncoding.jsonLine(record));
            writer.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 12 records in 2 chains, heads a-0@7=…, b-1@5=… (took 0.42 s)} */
    static String summary(long records, List<ChainHead> heads, Duration took) {
        return records + " records in " + heads.size() + " chains, heads " + (heads.isEmpty()
                ? "(none)"
                : heads.stream().map(h -> h.chainId() + "@" + h.sequence() + "=" + h.hash())
                        .collect(Collectors.joining(", ")))
                + " (took " + String.format(
                        java.util.Locale.ROOT, "%.2f", took.toMillis() / 1000.0)
                + " s)";
    }

    static Instant time(String text) {
        try {
            return text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay().toInstant(
                            ZoneOffset.UTC)
                    : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new UsageException(text + " is not a time: write 2026-11-21T10:00:00Z or"
                    + " 2026-11-21");
        }
    }
}
