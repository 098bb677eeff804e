package dev.tollgate.audit;

import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.ChainTip;
import dev.tollgate.audit.core.SourceResets;
import dev.tollgate.audit.kafka.KafkaAuditMapper;
import dev.tollgate.audit.kafka.TopicReplayer;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code audit replay}: reads the gateway topics again (from a time, an offset, or the beginning)
 * and either writes JSON Lines, chained exactly as the live sink chains them, or rebuilds a store.
 * Optional filters keep only one agent, repository, action or request. Replaying the same range
 * twice gives identical output; an unfiltered replay from the beginning has the live store's chain
 * heads.
 */
@Command(name = "replay", synopsisHeading = "usage: ", description = "Reads the gateway topics again and writes JSON Lines or rebuilds a store.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "the Kafka cluster the gateway writes to")
    String bootstrap;

    @Option(names = "--command-config", paramLabel = "FILE", description = "Kafka client settings (security.protocol, sasl.*, ssl.*) as a properties file, as Kafka's own tools take them: the principal to read with")
    String commandConfig;

    @Option(names = "--topics", paramLabel = "T1,T2", description = "the topics to read (default: every catalogued topic)")
    String topicList;

    @Option(names = "--from", paramLabel = "TIME", description = "start at this time")
    String from;

    @Option(names = "--from-offset", paramLabel = "N", description = "start at this offset of every partition")
    Long fromOffset;

    @Option(names = "--agent", paramLabel = "AGENT", description = "keep one agent's events")
    String agent;

    @Option(names = "--repository", paramLabel = "OWNER/REPO", description = "keep one repository's events")
    String repository;

    @Option(names = "--action", paramLabel = "ACTION", description = "keep one action's events")
    String action;

    @Option(names = "--request-id", paramLabel = "ID", description = "keep one request's events")
    String requestId;

    @Option(names = "--out", paramLabel = "FILE", description = "write JSON Lines to FILE")
    String outFile;

    @Option(names = "--into-store", paramLabel = "postgres|embedded", description = "rebuild a store instead")
    String intoStore;

    @Option(names = "--into-jdbc-url", paramLabel = "URL", description = "the store to rebuild")
    String intoJdbcUrl;

    @Option(names = "--into-user", paramLabel = "USER", description = "its PostgreSQL user")
    String intoUser;

    @Option(names = "--into-password-file", paramLabel = "FILE", description = "its password's file")
    String intoPasswordFile;

    @Option(names = "--into-dir", paramLabel = "DIR", description = "the embedded store's folder")
    String intoDir;

    @Mixin
    AuditCommand.ProgressArguments reporting;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final Map<String, String> env;

    ReplayCommand(PrintStream out, PrintStream err, Clock clock, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.env = env;
    }

    @Override
    public Integer call() {
        return AuditCommand.guarded(spec, err, this::replay);
    }

    /** The {@code --command-config} file's settings (it may hold a password: checked, never shown). */
    private Map<String, Object> clientSettings() {
        if (present(commandConfig).isEmpty()) {
            return Map.of();
        }
        Path file = Path.of(commandConfig.strip());
        SecretFiles.checkConfigured("Kafka client settings", file);
        Properties properties = new Properties();
        try (var in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UsageException("cannot read --command-config " + file + ": " + e
                    .getMessage());
        }
        Map<String, Object> settings = new HashMap<>();
        properties.forEach((key, value) -> settings.put(key.toString(), value));
        return settings;
    }

    private int replay() {
        String bootstrapServers = present(bootstrap).orElseThrow(() -> new UsageException(
                "--bootstrap-servers HOST:PORT is missing (the Kafka cluster the gateway writes to)"));
        List<String> topics = present(topicList).map(t -> Arrays.stream(t.split(",")).map(
                String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(Topics.audited().stream().map(
                        Topic::name).toList());
        TopicReplayer.Start start = start();
        Predicate<AuditEntry> filter = filter();
        Optional<String> file = present(outFile);
        Optional<String> into = present(intoStore);
        if (file.isPresent() == into.isPresent()) {
            throw new UsageException("give exactly one of --out FILE (JSON Lines) or --into-store"
                    + " postgres|embedded (rebuild a store)");
        }
        Instant started = clock.instant();
        TopicReplayer replayer = new TopicReplayer(bootstrapServers, clientSettings(),
                new KafkaAuditMapper());
        TopicReplayer.Progress progress = (read, partition) -> err.println("replay: " + read
                + " records read (now " + partition + ")");
        TopicReplayer.Summary summary;
        long written;
        List<String> conflicts = new ArrayList<>();
        List<ChainHead> heads;
        try {
            if (file.isPresent()) {
                LinkingWriter writer = new LinkingWriter(Path.of(file.get()));
                try (writer) {
                    summary = replayer.replay(topics, start, filter, writer::write, reporting.every,
                            progress);
                }
                written = writer.written;
                heads = List.copyOf(writer.heads.values());
                conflicts.addAll(writer.conflicts);
            } else {
                StoreOptions options = StoreOptions.from(intoStore, intoJdbcUrl, intoUser,
                        intoPasswordFile, intoDir, env);
                try (AuditStore store = options.openForWriting()) {
                    long before = store.count();
                    List<AuditEntry> batch = new ArrayList<>();
                    summary = replayer.replay(topics, start, filter, entry -> {
                        batch.add(entry);
                        if (batch.size() >= 500) {
                            noteConflicts(store.appendAll(List.copyOf(batch)), conflicts);
                            batch.clear();
                        }
                    }, reporting.every, progress);
                    noteConflicts(store.appendAll(batch), conflicts);
                    written = store.count() - before;
                    heads = store.heads();
                }
            }
        } catch (KafkaException | IllegalArgumentException e) {
            err.println("audit: replay failed: " + e.getMessage());
            return AuditCommand.UNAVAILABLE;
        }
        // A role that wrote another's event ID: both events are kept, and said so.
        conflicts.forEach(conflict -> err.println("replay: EVENT ID CONFLICT: event ID "
                + conflict));
        out.println((conflicts.isEmpty()
                ? ""
                : "EVENT ID CONFLICTS: " + conflicts.size() + " (listed on stderr); ")
                + "replay OK: read " + summary.read() + " records from " + summary.partitions()
                        .size()
                + " partitions, " + summary.matched() + " matched, " + written
                + " new; " + AuditCommand.summary(heads.stream().mapToLong(ChainHead::sequence)
                        .sum(), heads, Duration.between(started, clock.instant())));
        return AuditCommand.OK;
    }

    private static void noteConflicts(List<AuditStore.AppendResult> results,
            List<String> conflicts) {
        for (AuditStore.AppendResult result : results) {
            if (result instanceof AuditStore.AppendResult.Conflicting conflict) {
                conflicts.add(conflict.held().eventId() + " (held by a " + conflict.held().entry()
                        .eventType() + " on " + conflict.held().entry().source().topic()
                        + "; again on " + conflict.record().entry().source().topic() + " as "
                        + conflict.record().entry().eventType() + ": " + conflict.record()
                                .eventId()
                        + ")");
            }
        }
    }

    private TopicReplayer.Start start() {
        Optional<String> time = present(from);
        if (time.isPresent() && fromOffset != null) {
            throw new UsageException("give --from TIME or --from-offset N, not both");
        }
        if (time.isPresent()) {
            return new TopicReplayer.Start.AtTime(AuditCommand.time(time.get()));
        }
        if (fromOffset != null) {
            return new TopicReplayer.Start.AtOffset(fromOffset);
        }
        return new TopicReplayer.Start.Beginning();
    }

    /**
     * The filters, all of which must match. An event that does not carry the filtered field itself
     * (a result has no repository) matches when an earlier event of the same request matched:
     * requests are replayed before decisions, results and token mints (catalogue order).
     */
    private Predicate<AuditEntry> filter() {
        Predicate<AuditEntry> direct = entry -> true;
        direct = and(direct, present(agent), AuditEntry::agentId);
        direct = and(direct, present(repository).map(String::toLowerCase),
                AuditEntry::repository);
        direct = and(direct, present(action), AuditEntry::action);
        direct = and(direct, present(requestId), AuditEntry::requestId);
        Predicate<AuditEntry> matches = direct;
        Set<String> matchedRequests = new HashSet<>();
        return entry -> {
            if (matches.test(entry)) {
                if (entry.requestId() != null) {
                    matchedRequests.add(entry.requestId());
                }
                return true;
            }
            return entry.requestId() != null && matchedRequests.contains(entry.requestId());
        };
    }

    private static Predicate<AuditEntry> and(Predicate<AuditEntry> filter, Optional<String> wanted,
            java.util.function.Function<AuditEntry, String> field) {
        return wanted.map(w -> filter.and(e -> Objects.equals(w, field.apply(e)))).orElse(filter);
    }

    private static Optional<String> present(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    /**
     * Links entries into chains in memory, exactly as a store does (the same event once, a source
     * reset recorded where the source changes), and writes each record as a JSON line.
     */
    private static final class LinkingWriter implements AutoCloseable {
        private final BufferedWriter writer;
        private final Map<String, ChainTip> tips = new TreeMap<>();
        private final Map<String, ChainHead> heads = new TreeMap<>();
        private final Set<String> seen = new HashSet<>();
        /** Undecodable records by their positional ID: a reused position is told apart by content. */
        private final Map<String, AuditRecord> positional = new HashMap<>();
        /** Each event ID's occurrence (topic, type, content digest): another is a conflict. */
        private final Map<String, String> occurrences = new HashMap<>();
        private final List<String> conflicts = new ArrayList<>();
        private long written;

        LinkingWriter(Path file) {
            try {
                this.writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UsageException("cannot write " + file + ": " + e.getMessage());
            }
        }

        void write(AuditEntry given) {
            AuditEntry entry = given;
            AuditRecord stored = positional.get(entry.eventId());
            if (stored != null && !SourceResets.sameOccurrence(stored, entry)) {
                entry = SourceResets.distinct(entry);
            }
            if (!AuditEntries.isPositional(entry.eventId())) {
                // as a store does (SourceResets.sameOccurrence), without keeping every record
                String occurrence = SourceResets.occurrenceDigest(entry);
                String held = occurrences.putIfAbsent(entry.eventId(), occurrence);
                if (held != null && !held.equals(occurrence)) {
                    entry = SourceResets.distinct(entry);
                    if (!seen.contains(entry.eventId())) {
                        conflicts.add(given.eventId() + " (again on " + entry.source().topic()
                                + " as " + entry.eventType() + ": " + entry.eventId() + ")");
                    }
                }
            }
            if (!seen.add(entry.eventId())) {
                return; // the store is idempotent by event ID; so is its replay
            }
            Optional<AuditEntry> reset = SourceResets.resetBefore(Optional.ofNullable(tips.get(
                    entry.chainId())), entry);
            if (reset.isPresent()) {
                seen.add(reset.get().eventId());
                link(reset.get());
            }
            AuditRecord record = link(entry);
            if (AuditEntries.isPositional(given.eventId())) {
                positional.putIfAbsent(given.eventId(), record);
            }
        }

        private AuditRecord link(AuditEntry entry) {
            AuditRecord record = AuditChain.append(Optional.ofNullable(tips.get(entry.chainId()))
                    .map(ChainTip::head), entry);
            tips.put(entry.chainId(), ChainTip.of(record));
            heads.put(entry.chainId(), AuditChain.headOf(record));
            try {
                writer.write(CanonicalEncoding.jsonLine(record));
                writer.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written++;
            return record;
        }

        @Override
        public void close() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
