package dev.tollgate.audit.checkpoints;

import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a signed {@link Checkpoint} of every chain's head to a JSON Lines file, each time it is
 * asked and the heads moved since the last one, durably (appended, then forced to disk). Each is
 * also logged with the SHA-256 of its line, so that a copy lives wherever the logs are shipped:
 * keep the file (or the logs) where the store's owner cannot rewrite them, and the public key
 * with the verifiers.
 */
public final class CheckpointWriter {

    private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);

    private final AuditStore store;
    private final PrivateKey key;
    private final Path file;
    private final Clock clock;
    private List<ChainHead> last = List.of();

    public CheckpointWriter(AuditStore store, PrivateKey key, Path file, Clock clock) {
        this.store = store;
        this.key = key;
        this.file = file;
        this.clock = clock;
    }

    /** Signs and appends the heads if they moved; the checkpoint written, if any. */
    public synchronized Optional<Checkpoint> checkpoint() {
        List<ChainHead> heads = store.heads();
        if (heads.isEmpty() || heads.equals(last)) {
            return Optional.empty();
        }
        Checkpoint checkpoint = Checkpoint.sign(clock.instant(), heads, key);
        String line = checkpoint.toJsonLine();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                dev.tollgate.runtime.security.PrivateFolders.create(parent);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(
                        StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the audit checkpoint to " + file, e);
        }
        last = heads;
        log.info("audit checkpoint at {}: {} chains, line sha256 {}", checkpoint.at(), heads
                .size(), sha256(line));
        return Optional.of(checkpoint);
    }

    /** Every checkpoint in a file, in order. */
    public static List<Checkpoint> read(Path file) {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            List<String> all = lines.filter(line -> !line.isBlank()).toList();
            ArrayList<Checkpoint> checkpoints = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                try {
                    checkpoints.add(Checkpoint.parse(all.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e
                            .getMessage(), e);
                }
            }
            return checkpoints;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the checkpoints " + file, e);
        }
    }

    private static String sha256(String line) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(line
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
