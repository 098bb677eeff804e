package dev.tollgate.audit.embedded;

import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.ChainTip;
import dev.tollgate.audit.core.SourceResets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The server-less audit store of the standalone run: one append-only JSON Lines file per chain,
 * {@code <dir>/chains/<topic>-<partition>.jsonl}, each line a record in its canonical form with
 * its hash. Every append is written and fsynced before it is acknowledged; a batch is fsynced once.
 * On open it recovers every chain's head and the index of stored event IDs; a torn last line (a
 * crash mid-write, never acknowledged) is cut off. One process at a time: {@code <dir>/lock}.
 *
 * <p><b>The event ID index</b> ({@link EventIdIndex}) answers {@link #findByEventId} and refuses
 * duplicates in {@link #appendAll}. It lives only in memory, is rebuilt from the chain files at open,
 * and holds no event IDs: per event one slot of two primitive longs, a 64-bit hash of the ID and a
 * packed location (chain number, byte offset of the line in that chain's file; chain numbers map to
 * chain IDs in a small table). It doubles at 60 % load, so at 16 bytes per slot it takes about 27
 * to 53 bytes per event (33.6 measured for a million events, against 149 to 213 for the
 * {@code HashMap<String, location>} it replaced: {@code EventIdIndexFootprintTest}). Exactness does not
 * rest on the hash: every location with a matching hash is read back from its file and its event ID
 * compared, and all events that share a hash stay findable. A new ID almost never matches a hash, so
 * an append reads nothing from disk; a redelivery reads its one stored line (and returns it as the
 * {@code Duplicate}). An ID repeated within one batch is indexed when its first copy is written, so
 * the second copy is refused the same way.
 */
public final class EmbeddedAuditStore implements AuditStore {

    private static final System.Logger LOG = System.getLogger(EmbeddedAuditStore.class.getName());
    private static final String SUFFIX = ".jsonl";

    private final Path chainsDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Each chain's last record: where the next one links, and where its source left off. */
    private final Map<String, ChainTip> tips = new TreeMap<>();
    /** Where each stored event's line starts: a duplicate costs one line read, not a scan. */
    private final EventIdIndex index;
    /** Chain number (in packed locations) → chain ID, and back. */
    private final List<String> chainIds = new ArrayList<>();
    private final Map<String, Integer> chainNumbers = new HashMap<>();
    private final Map<String, FileChannel> writers = new HashMap<>();
    private boolean closed;

    private EmbeddedAuditStore(Path dir, EventIdIndex index) throws IOException {
        this.index = index;
        // 0700 from the data folder down: whichever command runs first creates it
        dev.tollgate.runtime.security.PrivateFolders.create(dir);
        this.chainsDir = dev.tollgate.runtime.security.PrivateFolders.create(dir.resolve(
                "chains"));
        this.lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            acquired = null;
        }
        if (acquired == null) {
            lockChannel.close();
            throw new AuditStoreException("the audit store in " + dir + " is open in another"
                    + " process (or twice in this one); stop it first, or give this one its own"
                    + " tollgate.audit.embedded.dir", null);
        }
        this.lock = acquired;
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static EmbeddedAuditStore open(Path dir) {
        return open(dir, new EventIdIndex());
    }

    /** For tests: opens with a chosen (e.g. colliding) event ID index. */
    static EmbeddedAuditStore open(Path dir, EventIdIndex index) {
        try {
            EmbeddedAuditStore store = new EmbeddedAuditStore(dir, index);
            store.recover();
            return store;
        } catch (IOException e) {
            throw new AuditStoreException("cannot open the audit store in " + dir + ": " + e, e);
        }
    }

    /** Opens an existing store for reading only (verify, export); takes no lock. */
    public static AuditStore openReadOnly(Path dir) {
        if (!Files.isDirectory(dir.resolve("chains"))) {
            throw new AuditStoreException(dir + " holds no audit store (no chains/ directory)",
                    null);
        }
        return new ReadOnly(dir.resolve("chains"));
    }

    private void recover() throws IOException {
        for (Path file : chainFiles(chainsDir)) {
            String chainId = chainIdOf(file);
            int chain = chainNumber(chainId);
            cutTornTail(file);
            AuditRecord[] last = {null};
            long[] lineNumber = {0};
            forEachLine(file, (offset, line) -> {
                lineNumber[0]++;
                AuditRecord record;
                try {
                    record = CanonicalEncoding.parseLine(line);
                } catch (RuntimeException e) {
                    // Left for verify to report; appends continue from the last readable line.
                    LOG.log(System.Logger.Level.WARNING, "audit chain {0} line {1} is not"
                            + " readable ({2}); run `verify`", chainId, lineNumber[0],
                            e.getMessage());
                    return;
                }
                // The first copy of an event ID wins (a second one only by editing the files).
                long hash = index.hash(record.eventId());
                if (locate(record.eventId(), hash) == null) {
                    index.add(hash, location(chain, offset));
                }
                last[0] = record;
            });
            if (last[0] != null) {
                tips.put(chainId, ChainTip.of(last[0]));
            }
        }
    }

    private interface LineHandler {
        void line(long offset, String line) throws IOException;
    }

    /** Reads a file line by line, telling each line's byte offset. */
    private static void forEachLine(Path file, LineHandler handler) throws IOException {
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file),
                1 << 16)) {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
            long position = 0;
            long start = 0;
            int b;
            while ((b = in.read()) >= 0) {
                position++;
                if (b == '\n') {
                    handler.line(start, line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    start = position;
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) {
                handler.line(start, line.toString(StandardCharsets.UTF_8));
            }
        }
    }

    /** The number of {@code chainId} in packed locations, assigned on first use. */
    private int chainNumber(String chainId) {
        Integer number = chainNumbers.get(chainId);
        if (number == null) {
            number = chainIds.size();
            if (number > EventIdIndex.MAX_CHAIN) {
                throw new AuditStoreException("the embedded audit store holds more than "
                        + (EventIdIndex.MAX_CHAIN + 1) + " chains; use the PostgreSQL store", null);
            }
            chainIds.add(chainId);
            chainNumbers.put(chainId, number);
        }
        return number;
    }

    private static long location(int chain, long offset) {
        if (offset > EventIdIndex.MAX_OFFSET) {
            throw new AuditStoreException("an embedded audit chain file passed "
                    + (EventIdIndex.MAX_OFFSET + 1) + " bytes; use the PostgreSQL store", null);
        }
        return EventIdIndex.pack(chain, offset);
    }

    /**
     * The stored record of {@code eventId}, or null: reads the record at each location whose hash
     * matches (almost always none or one) and compares the event ID.
     */
    private AuditRecord locate(String eventId, long hash) throws IOException {
        AuditRecord[] found = {null};
        index.find(hash, location -> {
            AuditRecord candidate = readAt(location);
            if (candidate.eventId().equals(eventId)) {
                found[0] = candidate;
                return true;
            }
            return false;
        });
        return found[0];
    }

    /** The record whose line starts at a packed location. */
    private AuditRecord readAt(long location) throws IOException {
        String chainId = chainIds.get(EventIdIndex.chainOf(location));
        try (FileChannel channel = FileChannel.open(chainsDir.resolve(chainId + SUFFIX),
                StandardOpenOption.READ)) {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(1024);
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            long position = EventIdIndex.offsetOf(location);
            outer : while (channel.read(buffer.clear(), position) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        break outer;
                    }
                    line.write(b);
                }
                position += buffer.limit();
            }
            return CanonicalEncoding.parseLine(line.toString(StandardCharsets.UTF_8));
        }
    }

    /** A last line without its newline was never acknowledged: cut it off. */
    private static void cutTornTail(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = channel.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                channel.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                LOG.log(System.Logger.Level.WARNING, "audit chain file {0}: cutting {1} bytes of"
                        + " an unfinished last write", file, size - keep);
                channel.truncate(keep);
                channel.force(true);
            }
        }
    }

    @Override
    public synchronized AppendResult append(AuditEntry entry) {
        return appendAll(List.of(entry)).get(0);
    }

    @Override
    public synchronized List<AppendResult> appendAll(List<AuditEntry> entries) {
        ensureOpen();
        List<AppendResult> results = new ArrayList<>(entries.size());
        LinkedHashSet<FileChannel> touched = new LinkedHashSet<>();
        try {
            for (AuditEntry given : entries) {
                AuditEntry entry = given;
                AuditRecord stored = locate(entry.eventId(), index.hash(entry.eventId()));
                AuditRecord held = null;
                if (stored != null && !SourceResets.sameOccurrence(stored, entry)) {
                    // An undecodable record at a position a reset source reused, or another event
                    // under an event ID already held: kept on its own.
                    held = AuditEntries.isPositional(entry.eventId()) ? null : stored;
                    entry = SourceResets.distinct(entry);
                    stored = locate(entry.eventId(), index.hash(entry.eventId()));
                }
                if (stored != null) {
                    results.add(new AppendResult.Duplicate(stored));
                    continue;
                }
                Optional<AuditEntry> reset = SourceResets.resetBefore(Optional.ofNullable(tips
                        .get(entry.chainId())), entry);
                if (reset.isPresent()) {
                    AuditRecord written = write(reset.get(), touched);
                    logReset(written);
                }
                AuditRecord written = write(entry, touched);
                results.add(held == null
                        ? new AppendResult.Appended(written)
                        : new AppendResult.Conflicting(written, held));
            }
            for (FileChannel channel : touched) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new AuditStoreException("appending to the audit store failed: " + e, e);
        }
        return results;
    }

    static void logReset(AuditRecord reset) {
        LOG.log(System.Logger.Level.WARNING, "audit chain {0}: {1}; recorded as #{2}, the chain"
                + " continues with the new source", reset.chainId(), reset.entry().reason(),
                reset
                        .sequence());
    }

    /** Links {@code entry} after its chain's tip and writes its line (not yet forced). */
    private AuditRecord write(AuditEntry entry, Set<FileChannel> touched) throws IOException {
        ChainTip tip = tips.get(entry.chainId());
        AuditChain.Linked linked = AuditChain.link(Optional.ofNullable(tip).map(ChainTip::head),
                entry);
        AuditRecord record = linked.record();
        int chain = chainNumber(entry.chainId());
        FileChannel channel = writer(entry.chainId());
        long offset = channel.size();
        long location = location(chain, offset);
        ByteBuffer line = ByteBuffer.wrap((linked.jsonLine() + "\n").getBytes(
                StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            channel.write(line);
        }
        touched.add(channel);
        tips.put(entry.chainId(), ChainTip.of(record));
        // Indexed at once: the same ID later in this batch is read back and refused.
        index.add(index.hash(entry.eventId()), location);
        return record;
    }

    private FileChannel writer(String chainId) throws IOException {
        FileChannel channel = writers.get(chainId);
        if (channel == null) {
            Path file = chainsDir.resolve(chainId + SUFFIX);
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (created) {
                forceDirectory(chainsDir);
            }
            writers.put(chainId, channel);
        }
        return channel;
    }

    /** Makes a new file's directory entry durable (Linux allows fsync on a directory). */
    static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the file data itself is forced anyway.
        }
    }

    @Override
    public synchronized List<ChainHead> heads() {
        ensureOpen();
        return tips.values().stream().map(ChainTip::head).toList();
    }

    @Override
    public void readChain(String chainId, Consumer<AuditRecord> sink) {
        ensureOpen();
        readChainFile(chainsDir, chainId, sink);
    }

    @Override
    public void readRange(Instant from, Instant to, Consumer<AuditRecord> sink) {
        ensureOpen();
        readRangeFiles(chainsDir, from, to, sink);
    }

    @Override
    public synchronized Optional<AuditRecord> findByEventId(String eventId) {
        ensureOpen();
        try {
            return Optional.ofNullable(locate(eventId, index.hash(eventId)));
        } catch (IOException e) {
            throw new AuditStoreException("cannot read event " + eventId + ": " + e, e);
        }
    }

    @Override
    public synchronized long count() {
        ensureOpen();
        return tips.values().stream().mapToLong(t -> t.head().sequence()).sum();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (FileChannel channel : writers.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing an audit chain file: {0}", e);
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the audit store lock: {0}", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded audit store is closed");
        }
    }

    // Reading, shared with the read-only view.

    static List<Path> chainFiles(Path chainsDir) {
        try (Stream<Path> files = Files.list(chainsDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String chainIdOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - SUFFIX.length());
    }

    static void readChainFile(Path chainsDir, String chainId, Consumer<AuditRecord> sink) {
        Path file = chainsDir.resolve(chainId + SUFFIX);
        if (!Files.exists(file)) {
            return;
        }
        long lineNumber = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                AuditRecord record;
                try {
                    record = CanonicalEncoding.parseLine(line);
                } catch (RuntimeException e) {
                    throw new AuditStoreException(file + " line " + lineNumber
                            + " is not a readable audit record: " + e.getMessage(), e);
                }
                sink.accept(record);
            }
        } catch (IOException e) {
            throw new AuditStoreException("cannot read " + file + ": " + e, e);
        }
    }

    static void readRangeFiles(Path chainsDir, Instant from, Instant to,
            Consumer<AuditRecord> sink) {
        List<AuditRecord> matching = new ArrayList<>();
        for (Path file : chainFiles(chainsDir)) {
            readChainFile(chainsDir, chainIdOf(file), record -> {
                Instant at = record.entry().occurredAt();
                if ((from == null || !at.isBefore(from)) && (to == null || at.isBefore(to))) {
                    matching.add(record);
                }
            });
        }
        matching.sort(Comparator.comparing((AuditRecord r) -> r.entry().occurredAt())
                .thenComparing(AuditRecord::chainId).thenComparingLong(AuditRecord::sequence));
        matching.forEach(sink);
    }

    static Optional<AuditRecord> findIn(Path chainsDir, String chainId, String eventId) {
        AuditRecord[] found = {null};
        readChainFile(chainsDir, chainId, record -> {
            if (found[0] == null && record.eventId().equals(eventId)) {
                found[0] = record;
            }
        });
        return Optional.ofNullable(found[0]);
    }

    /** A view for verify and export: reads the files as they are, never writes. */
    private static final class ReadOnly implements AuditStore {

        private final Path chainsDir;

        ReadOnly(Path chainsDir) {
            this.chainsDir = chainsDir;
        }

        @Override
        public AppendResult append(AuditEntry entry) {
            throw new UnsupportedOperationException("this view of the audit store is read-only");
        }

        @Override
        public List<String> chainIds() {
            return chainFiles(chainsDir).stream().map(EmbeddedAuditStore::chainIdOf).toList();
        }

        @Override
        public List<ChainHead> heads() {
            List<ChainHead> heads = new ArrayList<>();
            for (Path file : chainFiles(chainsDir)) {
                AuditRecord[] last = {null};
                readChainFile(chainsDir, chainIdOf(file), record -> last[0] = record);
                if (last[0] != null) {
                    heads.add(new ChainHead(chainIdOf(file), last[0].sequence(), last[0].hash()));
                }
            }
            return heads;
        }

        @Override
        public void readChain(String chainId, Consumer<AuditRecord> sink) {
            readChainFile(chainsDir, chainId, sink);
        }

        @Override
        public void readRange(Instant from, Instant to, Consumer<AuditRecord> sink) {
            readRangeFiles(chainsDir, from, to, sink);
        }

        @Override
        public Optional<AuditRecord> findByEventId(String eventId) {
            for (Path file : chainFiles(chainsDir)) {
                Optional<AuditRecord> found = findIn(chainsDir, chainIdOf(file), eventId);
                if (found.isPresent()) {
                    return found;
                }
            }
            return Optional.empty();
        }

        @Override
        public long count() {
            long[] count = {0};
            chainFiles(chainsDir).forEach(f -> readChainFile(chainsDir, chainIdOf(f),
                    r -> count[0]++));
            return count[0];
        }

        @Override
        public void close() {
        }
    }
}
