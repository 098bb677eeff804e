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
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.KafkaException;

/**
 * {@code audit replay}: reads the gateway topics again (from a time, an offset, or the beginning)
 * and either writes JSON Lines, chained exactly as the live sink chains them, or rebuilds a store.
 * Optional filters keep only one agent, repository, action or request. Replaying the same range
 * twice gives identical output; an unfiltered replay from the beginning has the live store's chain
 * heads.
 */
final class ReplayCommand {

    private static final Set<String> OPTIONS = Set.of("--bootstrap-servers", "--topics", "--from",
            "--from-offset", "--agent", "--repository", "--action", "--request-id", "--out",
            "--into-store", "--into-jdbc-url", "--into-user", "--into-password-file", "--into-dir",
            "--progress-every");

    private ReplayCommand() {
    }

    static int run(List<String> rawArgs, PrintStream out, PrintStream err, Clock clock,
            Map<String, String> env) {
        Arguments args = new Arguments(rawArgs, OPTIONS);
        String bootstrap = args.value("--bootstrap-servers").orElseThrow(() -> new UsageException(
                "--bootstrap-servers HOST:PORT is missing (the Kafka cluster the gateway writes to)"));
        List<String> topics = args.value("--topics").map(t -> Arrays.stream(t.split(",")).map(
                String::strip).filter(s -> !s.isEmpty()).toList()).orElse(Topics.all().stream().map(
                        Topic::name).toList());
        TopicReplayer.Start start = start(args);
        Predicate<AuditEntry> filter = filter(args);
        long every = args.longValue("--progress-every", 10_000);
        Optional<String> outFile = args.value("--out");
        Optional<String> intoStore = args.value("--into-store");
        if (outFile.isPresent() == intoStore.isPresent()) {
            throw new UsageException("give exactly one of --out FILE (JSON Lines) or --into-store"
                    + " postgres|embedded (rebuild a store)");
        }
        Instant started = clock.instant();
        TopicReplayer replayer = new TopicReplayer(bootstrap, Map.of(), new KafkaAuditMapper());
        TopicReplayer.Progress progress = (read, partition) -> err.println("replay: " + read
                + " records read (now " + partition + ")");
        TopicReplayer.Summary summary;
        long written;
        List<ChainHead> heads;
        try {
            if (outFile.isPresent()) {
                Path file = Path.of(outFile.get());
                LinkingWriter writer = new LinkingWriter(file);
                try (writer) {
                    summary = replayer.replay(topics, start, filter, writer::write, every,
                            progress);
                }
                written = writer.written;
                heads = List.copyOf(writer.heads.values());
            } else {
                StoreOptions options = StoreOptions.from(intoArguments(args), env);
                try (AuditStore store = options.openForWriting()) {
                    long before = store.count();
                    List<AuditEntry> batch = new ArrayList<>();
                    summary = replayer.replay(topics, start, filter, entry -> {
                        batch.add(entry);
                        if (batch.size() >= 500) {
                            store.appendAll(List.copyOf(batch));
                            batch.clear();
                        }
                    }, every, progress);
                    store.appendAll(batch);
                    written = store.count() - before;
                    heads = store.heads();
                }
            }
        } catch (KafkaException | IllegalArgumentException e) {
            err.println("audit: replay failed: " + e.getMessage());
            return AuditCommand.UNAVAILABLE;
        }
        out.println("replay OK: read " + summary.read() + " records from " + summary.partitions()
                .size() + " partitions, " + summary.matched() + " matched, " + written
                + " new; " + AuditCommand.summary(heads.stream().mapToLong(ChainHead::sequence)
                        .sum(), heads, Duration.between(started, clock.instant())));
        return AuditCommand.OK;
    }

    private static TopicReplayer.Start start(Arguments args) {
        Optional<String> from = args.value("--from");
        Optional<String> offset = args.value("--from-offset");
        if (from.isPresent() && offset.isPresent()) {
            throw new UsageException("give --from TIME or --from-offset N, not both");
        }
        if (from.isPresent()) {
            return new TopicReplayer.Start.AtTime(AuditCommand.time(from.get()));
        }
        if (offset.isPresent()) {
            return new TopicReplayer.Start.AtOffset(args.longValue("--from-offset", 0));
        }
        return new TopicReplayer.Start.Beginning();
    }

    /**
     * The filters, all of which must match. An event that does not carry the filtered field itself
     * (a result has no repository) matches when an earlier event of the same request matched:
     * requests are replayed before decisions, results and token mints (catalogue order).
     */
    private static Predicate<AuditEntry> filter(Arguments args) {
        Predicate<AuditEntry> direct = entry -> true;
        direct = and(direct, args.value("--agent"), AuditEntry::agentId);
        direct = and(direct, args.value("--repository").map(String::toLowerCase),
                AuditEntry::repository);
        direct = and(direct, args.value("--action"), AuditEntry::action);
        direct = and(direct, args.value("--request-id"), AuditEntry::requestId);
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

    private static Arguments intoArguments(Arguments args) {
        List<String> translated = new ArrayList<>();
        Map<String, String> names = Map.of("--into-store", "--store", "--into-jdbc-url",
                "--jdbc-url", "--into-user", "--user", "--into-password-file", "--password-file",
                "--into-dir", "--dir");
        names.forEach((from, to) -> args.value(from).ifPresent(v -> {
            translated.add(to);
            translated.add(v);
        }));
        return new Arguments(translated, Set.copyOf(names.values()));
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
