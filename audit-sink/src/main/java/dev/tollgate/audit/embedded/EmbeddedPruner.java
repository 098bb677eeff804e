package dev.tollgate.audit.embedded;

import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.Erasure;
import dev.tollgate.audit.core.Pruning;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.core.Tombstones;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Erases the embedded store's records past their retention ({@link Pruning}), turning each into a
 * tombstone in place. A chain file is never edited: the new chain is written next to it
 * ({@code <chain>.jsonl.pruning}), fsynced, and renamed over it in one atomic step, so a crash
 * leaves the old chain or the new one, never half of either (a leftover {@code .pruning} file is
 * ignored by the store and removed by the next prune). Holds the store's lock throughout: while
 * the sink (or anything else) has the store open, a prune refuses to start. Every line that is not
 * erased is copied byte for byte.
 */
public final class EmbeddedPruner {

    private static final String PRUNING = ".pruning";

    private EmbeddedPruner() {
    }

    /**
     * Prunes the store in {@code dir}; with {@code dryRun}, decides the same but writes nothing
     * and takes no lock. Returns how many records were (or would be) erased.
     *
     * @throws AuditStoreException if there is no store in {@code dir}, it is open elsewhere, or a
     *             file cannot be read or written
     */
    public static long prune(Path dir, Pruning pruning, boolean dryRun,
            StoreVerifier.Progress progress, long every) {
        Path chainsDir = dir.resolve("chains");
        if (!Files.isDirectory(chainsDir)) {
            throw new AuditStoreException(dir + " holds no audit store (no chains/ directory)",
                    null);
        }
        try (Lock lock = dryRun ? null : Lock.take(dir)) {
            if (!dryRun) {
                removeLeftovers(chainsDir);
            }
            long[] examined = {0};
            long erased = 0;
            for (Path file : EmbeddedAuditStore.chainFiles(chainsDir)) {
                erased += pruneChain(file, pruning.chain(EmbeddedAuditStore.chainIdOf(file)),
                        dryRun, () -> {
                            if (++examined[0] % Math.max(1, every) == 0) {
                                progress.checked(examined[0], EmbeddedAuditStore.chainIdOf(file));
                            }
                        });
            }
            return erased;
        } catch (IOException e) {
            throw new AuditStoreException("pruning the audit store in " + dir + " failed: " + e,
                    e);
        }
    }

    /** Rewrites one chain file if anything in it is to be erased; returns how many records. */
    private static long pruneChain(Path file, Pruning.Chain chain, boolean dryRun,
            Runnable examined) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + PRUNING);
        FileChannel out = null;
        long erased = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            long lineStart = 0;
            long position = 0;
            int b;
            boolean more = true;
            while (more) {
                b = in.read();
                if (b >= 0) {
                    position++;
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                } else if (line.size() == 0) {
                    break;
                } else {
                    more = false;
                }
                boolean complete = b == '\n';
                byte[] raw = line.toByteArray();
                line.reset();
                examined.run();
                Optional<AuditRecord> record = complete ? read(raw) : Optional.empty();
                Optional<Erasure> erasure = record.isPresent()
                        ? chain.next(record.get())
                        : chain.next("", null, null, false); // unreadable or torn: keep it
                if (erasure.isPresent()) {
                    erased++;
                    if (!dryRun && out == null) {
                        out = FileChannel.open(next, StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                        copy(file, out, lineStart);
                    }
                    raw = CanonicalEncoding.jsonLine(Tombstones.erase(record.get(), erasure
                            .get())).getBytes(StandardCharsets.UTF_8);
                }
                if (out != null) {
                    write(out, raw);
                    if (complete) {
                        write(out, new byte[]{'\n'});
                    }
                }
                lineStart = position;
            }
            if (out != null) {
                out.force(true);
                out.close();
                out = null;
                Files.move(next, file, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                EmbeddedAuditStore.forceDirectory(file.getParent());
            }
        } finally {
            if (out != null) {
                out.close();
                Files.deleteIfExists(next);
            }
        }
        return erased;
    }

    private static Optional<AuditRecord> read(byte[] raw) {
        try {
            return Optional.of(CanonicalEncoding.parseLine(new String(raw,
                    StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return Optional.empty(); // left for verify to report
        }
    }

    /** Copies the first {@code length} bytes of {@code file} to {@code out}. */
    private static void copy(Path file, FileChannel out, long length) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < length) {
                done += in.transferTo(done, length - done, out);
            }
        }
    }

    private static void write(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** A prune that crashed before its rename left its new chain: the old one is the chain. */
    private static void removeLeftovers(Path chainsDir) throws IOException {
        try (Stream<Path> files = Files.list(chainsDir)) {
            for (Path leftover : files.filter(f -> f.getFileName().toString().endsWith(PRUNING))
                    .toList()) {
                Files.delete(leftover);
            }
        }
    }

    /** The store's lock ({@code <dir>/lock}), as the store itself takes it. */
    private record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {

        static Lock take(Path dir) throws IOException {
            FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new AuditStoreException("the audit store in " + dir + " is open (is the"
                        + " sink running?): stop it, then prune; nothing was changed", null);
            }
            return new Lock(channel, lock);
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }
}
