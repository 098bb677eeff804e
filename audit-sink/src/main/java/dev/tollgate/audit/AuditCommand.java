package dev.tollgate.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.audit.checkpoints.CheckpointKeys;
import dev.tollgate.audit.checkpoints.CheckpointWriter;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.ChainReport;
import dev.tollgate.audit.core.CheckpointVerifier;
import dev.tollgate.audit.core.Pruning;
import dev.tollgate.audit.core.RecordClass;
import dev.tollgate.audit.core.RetentionPolicy;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.embedded.EmbeddedPruner;
import dev.tollgate.audit.postgres.LoginPrivileges;
import dev.tollgate.audit.postgres.PostgresMigrations;
import dev.tollgate.audit.postgres.PostgresPruner;
import dev.tollgate.runtime.cli.Cli;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The operators' and compliance teams' audit commands ({@code tollgate audit ...}):
 *
 * <pre>
 * verify --store postgres --jdbc-url URL [--user U] [--password-file F] [--progress-every N] [--json]
 * verify --store embedded --dir DIR [--json] [--retention CLASS=DURATION]...
 * prune --store ... [--retention CLASS=DURATION]... [--dry-run]
 * export --store ... [--from TIME] [--to TIME] [--out FILE]
 * migrate --store postgres --jdbc-url URL --user OWNER [--password-file F] [--writer-role R]
 *         [--pruner-role R] [--reader-role R] [--lock-timeout D]
 * replay --bootstrap-servers HOST:PORT [--from TIME | --from-offset N] [--agent A] [--repository O/R]
 *        [--action A] [--request-id R] (--out FILE | --into-store ...)
 * </pre>
 *
 * Exit status: 0 success, 1 the store failed verification, 2 the command line or configuration is
 * wrong, 3 the store or broker could not be read.
 */
@Command(name = "audit", synopsisHeading = "usage: ", description = "Checks, exports, replays, prunes and migrates the audit store.", footer = {
        "", "TIME is an ISO-8601 instant (2026-11-21T10:00:00Z) or a date (2026-11-21, UTC"
                + " midnight).",
        "Passwords: --password-file, or TOLLGATE_AUDIT_POSTGRES_PASSWORD(_FILE); never as an"
                + " argument.",
        "exit status: 0 OK, 1 verification failed, 2 wrong command line, 3 store or broker"
                + " unreachable"})
public final class AuditCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int VERIFICATION_FAILED = 1;
    public static final int USAGE = Cli.USAGE;
    public static final int UNAVAILABLE = 3;
    /** The chains are intact, but a different event claims an event ID another record holds. */
    public static final int CONFLICTS = 4;

    /** The {@code verify --json} object's format; a new version only if a key changes meaning. */
    public static final String VERIFY_JSON_FORMAT = "tollgate.audit.verify/1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Map<String, String> env;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    @Spec
    private CommandSpec spec;

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

    /** The command with its subcommands, to run on its own or as {@code tollgate audit}. */
    public CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(this);
        commandLine.addSubcommand("verify", new Verify());
        commandLine.addSubcommand("export", new Export());
        commandLine.addSubcommand("replay", new ReplayCommand(out, err, clock, env));
        commandLine.addSubcommand("prune", new Prune());
        commandLine.addSubcommand("migrate", new Migrate());
        commandLine.addSubcommand("help", new HelpCommand());
        return Cli.configure(commandLine, out, err);
    }

    /** Runs one command; returns the exit status. */
    public int run(String... args) {
        return commandLine().execute(args);
    }

    @Override
    public Integer call() {
        throw Cli.usage(spec.commandLine(),
                "name a command: verify, export, replay, prune or migrate");
    }

    /**
     * Runs a subcommand's body: a {@link UsageException} is a wrong command line (exit 2, with the
     * subcommand's usage), a store that cannot be read exits 3.
     */
    static int guarded(CommandSpec command, PrintStream err, IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (UsageException e) {
            throw Cli.usage(command.commandLine(), e.getMessage());
        } catch (AuditStoreException | UncheckedIOException e) {
            err.println("audit: " + e.getMessage());
            return UNAVAILABLE;
        }
    }

    /** How often a subcommand that walks records reports its progress. */
    static final class ProgressArguments {

        @Option(names = "--progress-every", paramLabel = "N", defaultValue = "10000", description = "report progress on standard error every N records")
        long every;
    }

    /** Which store a subcommand reads or writes. */
    static final class StoreArguments {

        @Option(names = "--store", paramLabel = "postgres|embedded", description = "the store: postgres (with --jdbc-url) or embedded (with --dir)")
        String store;

        @Option(names = "--jdbc-url", paramLabel = "URL", description = "jdbc:postgresql://HOST:5432/DB[?currentSchema=S]")
        String jdbcUrl;

        @Option(names = "--user", paramLabel = "USER", description = "the PostgreSQL user (or TOLLGATE_AUDIT_POSTGRES_USER)")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE", description = "a file holding the password (or TOLLGATE_AUDIT_POSTGRES_PASSWORD"
                + "(_FILE))")
        String passwordFile;

        @Option(names = "--dir", paramLabel = "DIR", description = "the embedded store's folder (the sink's tollgate.audit.embedded.dir)")
        String dir;

        StoreOptions options(Map<String, String> env) {
            return StoreOptions.from(store, jdbcUrl, user, passwordFile, dir, env);
        }
    }

    /** The retention policy a subcommand applies or checks tombstones against. */
    static final class RetentionArguments {

        @Option(names = "--retention", paramLabel = "CLASS=DURATION", description = "how long a"
                + " record class is kept (calls, refusals, tokens, admin, dead-letters; 400d, 12h,"
                + " P400D or forever); repeatable. Default: TOLLGATE_AUDIT_RETENTION_<CLASS>"
                + " (DEADLETTERS for dead-letters), else forever")
        List<String> retention = List.of();

        RetentionPolicy policy(Map<String, String> env) {
            Map<String, String> settings = new TreeMap<>();
            for (RecordClass recordClass : RecordClass.values()) {
                String value = env.get(envName(recordClass));
                if (value != null && !value.isBlank()) {
                    settings.put(recordClass.key(), value);
                }
            }
            for (String given : retention) {
                int equals = given.indexOf('=');
                if (equals <= 0) {
                    throw new UsageException("--retention " + given + ": write CLASS=DURATION,"
                            + " e.g. --retention calls=400d (classes: " + RecordClass.keys()
                            + ")");
                }
                settings.put(given.substring(0, equals).strip(), given.substring(equals + 1));
            }
            try {
                return RetentionPolicy.parse(settings);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        /** {@code TOLLGATE_AUDIT_RETENTION_DEADLETTERS}: Spring's name for the property. */
        static String envName(RecordClass recordClass) {
            return "TOLLGATE_AUDIT_RETENTION_" + recordClass.key().replace("-", "").toUpperCase(
                    java.util.Locale.ROOT);
        }
    }

    @Command(name = "verify", synopsisHeading = "usage: ", description = "Checks every chain of a store and prints its head.")
    final class Verify implements Callable<Integer> {

        @Mixin
        StoreArguments store;

        @Mixin
        ProgressArguments progress;

        @Option(names = "--json", description = "print one JSON object instead of the lines")
        boolean json;

        @Mixin
        RetentionArguments retention;

        @Option(names = "--checkpoints", paramLabel = "FILE", description = "also check the chains against the sink's signed checkpoints (JSON Lines); needs --public-key")
        String checkpoints;

        @Option(names = "--public-key", paramLabel = "FILE", description = "the Ed25519 public key (PEM) the checkpoints must verify with")
        String publicKey;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if ((blankToNull(checkpoints) == null) != (blankToNull(publicKey) == null)) {
                throw Cli.usage(spec.commandLine(), "--checkpoints and --public-key go together");
            }
            return guarded(spec, err, () -> verify(store.options(env), retention.policy(env),
                    progress.every, json, Optional
                            .ofNullable(blankToNull(checkpoints))
                            .map(file -> new CheckpointVerifier(
                                    CheckpointWriter.read(Path.of(file)),
                                    CheckpointKeys.publicKey(Path
                                            .of(publicKey))))));
        }
    }

    @Command(name = "export", synopsisHeading = "usage: ", description = "Writes a time range of the store as JSON Lines.")
    final class Export implements Callable<Integer> {

        @Mixin
        StoreArguments store;

        @Option(names = "--from", paramLabel = "TIME", description = "from this time, inclusive")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "up to this time, exclusive")
        String to;

        @Option(names = "--out", paramLabel = "FILE", description = "the file to write (default: standard output)")
        String outFile;

        @Mixin
        ProgressArguments progress;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, err,
                    () -> export(store.options(env), progress.every, blankToNull(from),
                            blankToNull(to), blankToNull(outFile)));
        }
    }

    @Command(name = "prune", synopsisHeading = "usage: ", description = "Erases the records past"
            + " their class's retention: each becomes a tombstone that keeps its place, identity"
            + " and hash. Stop the sink first for the embedded store; for PostgreSQL log in as a"
            + " member of the pruner role.")
    final class Prune implements Callable<Integer> {

        @Mixin
        StoreArguments store;

        @Mixin
        RetentionArguments retention;

        @Option(names = "--dry-run", description = "say what would be erased, change nothing")
        boolean dryRun;

        @Mixin
        ProgressArguments progress;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, err, () -> prune(store.options(env), retention.policy(env),
                    dryRun, progress.every));
        }
    }

    @Command(name = "migrate", synopsisHeading = "usage: ", description = "Creates or upgrades the PostgreSQL store's schema (as its owner).")
    final class Migrate implements Callable<Integer> {

        @Mixin
        StoreArguments store;

        @Option(names = "--writer-role", paramLabel = "ROLE", description = "the role the sink writes as (default "
                + PostgresMigrations.DEFAULT_WRITER_ROLE + ")")
        String writerRole;

        @Option(names = "--pruner-role", paramLabel = "ROLE", description = "the group role that may"
                + " turn records past their retention into tombstones (default "
                + PostgresMigrations.DEFAULT_PRUNER_ROLE + "; never the writer role)")
        String prunerRole;

        @Option(names = "--reader-role", paramLabel = "ROLE", description = "the group role of the"
                + " logins that verify or export, granted only SELECT (default "
                + PostgresMigrations.DEFAULT_READER_ROLE
                + "; never the writer or the pruner role)")
        String readerRole;

        @Option(names = "--lock-timeout", paramLabel = "DURATION", description = "how long a"
                + " migration's statement waits for a lock (a long-open session on the table)"
                + " before the run gives up, changing nothing: 10s, 2m, PT30S; 0 waits as long as"
                + " it takes (default 10s)")
        String lockTimeout;

        @Option(names = "--progress-every", hidden = true, description = "accepted, unused")
        long every;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return guarded(spec, err, () -> migrate(store.options(env), blankToNull(writerRole),
                    blankToNull(prunerRole), blankToNull(readerRole), lockTimeout(blankToNull(
                            lockTimeout))));
        }
    }

    private static Duration lockTimeout(String value) {
        if (value == null) {
            return PostgresMigrations.DEFAULT_LOCK_TIMEOUT;
        }
        Duration parsed;
        try {
            parsed = org.springframework.boot.convert.DurationStyle.detectAndParse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--lock-timeout " + value + " is not a duration: use 10s, 2m"
                    + " or PT30S");
        }
        try {
            return PostgresMigrations.checkLockTimeout(parsed);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--lock-timeout " + e.getMessage());
        }
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private int prune(StoreOptions options, RetentionPolicy policy, boolean dryRun, long every) {
        String doing = dryRun ? "prune (dry run, nothing is changed)" : "prune";
        if (policy.keepsEverything()) {
            out.println(doing + ": every record class is kept forever, nothing to erase (set"
                    + " --retention CLASS=DURATION or TOLLGATE_AUDIT_RETENTION_<CLASS>)");
            return OK;
        }
        Instant started = clock.instant();
        Pruning pruning = new Pruning(policy, started);
        err.println(doing + ": erasing records past their retention in " + options.describe()
                + " as of " + started + " (" + policy.describe() + ")");
        StoreVerifier.Progress progress = (records, chainId) -> err.println("prune: " + records
                + " records examined (now " + chainId + ")");
        long erased = options.kind().equals("postgres")
                ? PostgresPruner.prune(options.dataSource(), pruning, dryRun, progress, every)
                : EmbeddedPruner.prune(options.dir(), pruning, dryRun, progress, every);
        for (RecordClass recordClass : RecordClass.values()) {
            Pruning.Tally tally = pruning.tallies().getOrDefault(recordClass, new Pruning.Tally(0,
                    0, 0, 0, null));
            out.println(recordClass.key() + "  retention=" + policy.retention(recordClass).map(
                    RetentionPolicy::format).orElse(RetentionPolicy.FOREVER) + "  "
                    + (dryRun
                            ? "would erase="
                            : "erased=")
                    + tally.erased() + "  erased before=" + tally.alreadyErased() + "  kept="
                    + tally.kept() + "  oldest kept=" + (tally.oldestKept() == null
                            ? "(none)"
                            : tally.oldestKept().toString())
                    + (tally.heldBack() == 0
                            ? ""
                            : "  held back=" + tally.heldBack() + " (past retention, behind an"
                                    + " older record of their chain that is kept)"));
        }
        out.println(doing + " OK: " + erased + " record(s) " + (dryRun
                ? "would be erased"
                : "erased")
                + " (took " + String.format(java.util.Locale.ROOT, "%.2f", Duration.between(
                        started, clock.instant()).toMillis() / 1000.0)
                + " s); verify with the same retention: audit verify ... --retention ...");
        return OK;
    }

    private int verify(StoreOptions options, RetentionPolicy policy, long every, boolean json,
            Optional<CheckpointVerifier> checkpoints) {
        err.println("verify: checking " + options.describe());
        warnUnlessReadOnly("verify", options);
        StoreVerifier.Result result;
        try (AuditStore store = options.openForReading()) {
            result = new StoreVerifier(clock, every, policy).verify(store, (records,
                    chainId) -> err.println("verify: " + records + " records checked (now "
                            + chainId + ")"),
                    checkpoints.map(CheckpointVerifier::tap).orElse(
                            record -> {
                            }));
        }
        Optional<CheckpointVerifier.Result> signed = checkpoints.map(CheckpointVerifier::finish);
        long broken = result.breaks().size() + signed.map(r -> r.findings().size()).orElse(0);
        if (json) {
            ObjectNode root = verifyJson(options, result);
            root.put("retention", policy.describe());
            signed.ifPresent(r -> checkpointsJson(root, r));
            out.println(root);
            out.flush();
            return status(broken, result);
        }
        signed.ifPresent(r -> {
            r.findings().forEach(finding -> out.println("CHECKPOINT " + finding.describe()));
            out.println((r.intact()
                    ? "checkpoints OK: "
                    : "checkpoints FAILED: " + r.findings()
                            .size() + " finding(s); ")
                    + r.checkpoints() + " signed checkpoint(s)" + r
                            .latest().map(latest -> ", the latest of " + latest.at() + " ("
                                    + latest.heads().size() + " heads)")
                            .orElse(""));
        });
        for (ChainReport chain : result.chains()) {
            String head = chain.head().map(h -> h.sequence() + " " + h.hash()).orElse("(empty)");
            out.println(chain.chainId() + "  records=" + chain.records() + "  head=" + head
                    + (chain.resets().isEmpty() ? "" : "  resets=" + chain.resets().size())
                    + (chain.tombstones() == 0 ? "" : "  tombstones=" + chain.tombstones())
                    + "  " + chain.firstBreak().map(b -> "BROKEN  " + b.describe()).orElse(
                            "OK"));
            // Every source reset is shown: compare each with what operations did at that time.
            chain.resets().forEach(reset -> out.println("  source reset " + chain.chainId()
                    + reset.describe()));
        }
        // Every event ID conflict is shown: a role wrote an event under another event's ID.
        result.conflicts().forEach(conflict -> out.println("CONFLICT " + conflict.describe()));
        long resets = result.resets();
        out.println((!result.conflicts().isEmpty()
                ? result.conflicts().size() + " EVENT ID CONFLICT(S) (listed above: one event of"
                        + " each pair is not what its producer claims); "
                : "")
                + (broken == 0
                        ? "verify OK: "
                        : "verify FAILED: " + broken + " of " + result
                                .chains().size() + " chains broken; ")
                + (resets == 0 ? "" : resets + " source reset(s) recorded (listed above); ")
                + (result.tombstones() == 0
                        ? ""
                        : result.tombstones() + " tombstone(s), erased as the retention allows ("
                                + policy.describe() + "); ")
                + summary(result.records(), result
                        .heads(), result.took()));
        return status(broken, result);
    }

    private static int status(long broken, StoreVerifier.Result result) {
        return broken != 0 ? VERIFICATION_FAILED : result.conflicts().isEmpty() ? OK : CONFLICTS;
    }

    /** {@code verify --checkpoints --json}: the "checkpoints" key. */
    private static void checkpointsJson(ObjectNode root, CheckpointVerifier.Result result) {
        ObjectNode node = root.putObject("checkpoints");
        node.put("ok", result.intact());
        node.put("count", result.checkpoints());
        result.latest().ifPresentOrElse(latest -> node.put("latest", latest.at().toString()),
                () -> node.putNull("latest"));
        ArrayNode findings = node.putArray("findings");
        for (CheckpointVerifier.Finding finding : result.findings()) {
            ObjectNode one = findings.addObject();
            one.put("kind", finding.kind().name());
            one.put("checkpoint", finding.checkpoint());
            one.put("chain", finding.chainId());
            one.put("sequence", finding.sequence());
            one.put("detail", finding.detail());
        }
        if (!result.intact()) {
            root.put("ok", false);
        }
    }

    /** {@code verify --json}: the README's "verify --json" documents every key. */
    static ObjectNode verifyJson(StoreOptions options, StoreVerifier.Result result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", VERIFY_JSON_FORMAT);
        root.put("store", options.describe());
        root.put("ok", result.intact());
        root.put("records", result.records());
        root.put("broken", result.breaks().size());
        root.put("resets", result.resets());
        root.put("tombstones", result.tombstones());
        root.put("took_ms", result.took().toMillis());
        ArrayNode conflicts = root.putArray("conflicts");
        for (StoreVerifier.Conflict conflict : result.conflicts()) {
            ObjectNode one = conflicts.addObject().put("event_id", conflict.eventId());
            conflictJson(one.putObject("kept"), conflict.kept());
            conflict.held().ifPresentOrElse(held -> conflictJson(one.putObject("held"), held),
                    () -> one.putNull("held"));
        }
        ArrayNode chains = root.putArray("chains");
        for (ChainReport report : result.chains()) {
            ObjectNode chain = chains.addObject();
            chain.put("chain", report.chainId());
            chain.put("records", report.records());
            chain.put("ok", report.intact());
            chain.put("tombstones", report.tombstones());
            report.head().ifPresentOrElse(head -> chain.putObject("head").put("sequence", head
                    .sequence()).put("hash", head.hash()), () -> chain.putNull("head"));
            report.firstBreak().ifPresentOrElse(found -> chain.putObject("break").put("kind",
                    found.kind().name()).put("sequence", found.sequence()).put("event_id", found
                            .eventId())
                    .put("source_offset", found.sourceOffset()).put("detail",
                            found.detail()),
                    () -> chain.putNull("break"));
            ArrayNode resets = chain.putArray("resets");
            report.resets().forEach(reset -> resets.addObject().put("sequence", reset.sequence())
                    .put("at", reset.at() == null ? null : reset.at().toString()).put("reason",
                            reset.details().reason().name())
                    .put("previous_cluster", reset
                            .details().previousCluster())
                    .put("cluster", reset.details().cluster()).put("previous_offset", reset
                            .details().previousOffset())
                    .put("offset", reset.details().offset()));
        }
        return root;
    }

    private static void conflictJson(ObjectNode node, AuditRecord record) {
        node.put("event_id", record.eventId()).put("event_type", record.entry().eventType()).put(
                "topic", record.entry().source().topic()).put("chain", record.chainId()).put(
                        "sequence", record.sequence());
    }

    private int migrate(StoreOptions options, String writerRole, String prunerRole,
            String readerRole, Duration lockTimeout) {
        if (!options.kind().equals("postgres")) {
            throw new UsageException(
                    "migrate is for --store postgres; the embedded store needs none");
        }
        String role = writerRole != null ? writerRole : PostgresMigrations.DEFAULT_WRITER_ROLE;
        String pruner = prunerRole != null ? prunerRole : PostgresMigrations.DEFAULT_PRUNER_ROLE;
        String reader = readerRole != null ? readerRole : PostgresMigrations.DEFAULT_READER_ROLE;
        if (pruner.equals(role)) {
            throw new UsageException("--pruner-role must not be the writer role (" + role
                    + "): the sink appends, it never erases");
        }
        if (reader.equals(role) || reader.equals(pruner)) {
            throw new UsageException("--reader-role must not be the writer role (" + role
                    + ") or the pruner role (" + pruner + "): those who check the record only"
                    + " read it");
        }
        try {
            MigrateResult result = PostgresMigrations.migrate(options.dataSource(), role,
                    pruner, reader, lockTimeout);
            out.println("migrate OK: " + result.migrationsExecuted + " migration(s) applied to "
                    + options.describe() + ", schema version " + (result.targetSchemaVersion == null
                            ? result.initialSchemaVersion
                            : result.targetSchemaVersion)
                    + ", writer role " + role + ", pruner role " + pruner + ", reader role "
                    + reader);
            return OK;
        } catch (FlywayException e) {
            err.println("audit: migrate failed: " + e.getMessage());
            if (lockNotAvailable(e)) {
                err.println("audit: migrate gave up after waiting " + lockTimeout.toMillis()
                        + " ms for a lock on the store's tables, and applied nothing; appends were"
                        + " held back meanwhile. A session keeps a transaction open on them (see"
                        + " pg_stat_activity, state 'idle in transaction'): end it and run migrate"
                        + " again, or give it longer with --lock-timeout");
            }
            return UNAVAILABLE;
        }
    }

    /** Whether PostgreSQL gave up waiting for a lock ({@code 55P03 lock_not_available}). */
    private static boolean lockNotAvailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checking the record needs only reading it. A PostgreSQL login that could also change it (the
     * sink's, which appends; the owner's; a pruner's) works, so existing setups keep working, but
     * whoever holds its password could add records that verify: say so, once, on standard error.
     * ({@code replay --into-store} writes by design and is not asked.)
     */
    private void warnUnlessReadOnly(String command, StoreOptions options) {
        if (!options.kind().equals("postgres")) {
            return;
        }
        LoginPrivileges login = LoginPrivileges.of(options.dataSource());
        if (!login.readOnly()) {
            err.println(command + ": WARNING: the login " + login.login() + " "
                    + login.describe() + ", so whoever holds its password can change the record"
                    + " it checks (an appended record verifies like any other). Checking needs"
                    + " only reading: log in as a member of "
                    + PostgresMigrations.DEFAULT_READER_ROLE + ", which may only SELECT"
                    + " (audit-sink/README.md, \"PostgreSQL roles\").");
        }
    }

    private int export(StoreOptions options, long every, String fromText, String toText,
            String outFile) {
        Instant from = fromText == null ? null : time(fromText);
        Instant to = toText == null ? null : time(toText);
        if (from != null && to != null && !from.isBefore(to)) {
            throw new UsageException("--from " + from + " must be before --to " + to);
        }
        Instant started = clock.instant();
        Map<String, ChainHead> lastPerChain = new TreeMap<>();
        long[] count = {0};
        Path file = outFile == null ? null : Path.of(outFile);
        PrintStream report = file == null ? err : out;
        warnUnlessReadOnly("export", options);
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
