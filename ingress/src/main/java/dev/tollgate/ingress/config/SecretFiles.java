package dev.tollgate.ingress.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from a value, a file, or generated into a file only the user can read. Values are never
 * logged; only file paths are.
 */
public final class SecretFiles {

    private static final Logger log = LoggerFactory.getLogger(SecretFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFiles() {
    }

    /**
     * The configured value, else the content of the configured file, else the content of
     * {@code generatedFile} (created with a fresh random secret, mode 0600, if missing).
     *
     * @param what names the secret and its settings in messages
     */
    public static String resolve(String what, String value, Path file, Path generatedFile) {
        if (value != null && !value.isBlank()) {
            return value.trim();
        }
        if (file != null) {
            return read(what, file);
        }
        return readOrGenerate(what, generatedFile);
    }

    static String read(String what, Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (content.isEmpty()) {
                throw new IllegalStateException(what + " file " + file + " is empty");
            }
            return content;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the " + what + " file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    static String readOrGenerate(String what, Path file) {
        if (Files.exists(file)) {
            log.info("{}: using the generated secret in {}", what, file.toAbsolutePath());
            return read(what, file);
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            Path parent = file.toAbsolutePath().getParent();
            boolean posix = parent.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (!Files.exists(parent) && posix) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(parent);
            }
            Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try (SeekableByteChannel channel = posix
                    ? Files.newByteChannel(file, options, PosixFilePermissions.asFileAttribute(
                            Set.of(PosixFilePermission.OWNER_READ,
                                    PosixFilePermission.OWNER_WRITE)))
                    : Files.newByteChannel(file, options)) {
                channel.write(ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.UTF_8)));
            }
        } catch (FileAlreadyExistsException e) {
            return read(what, file); // another replica on this host won the race
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated " + what + " to " + file
                    + ": " + e.getMessage(), e);
        }
        log.warn("{} was not configured: generated one in {} (readable by this user only)", what,
                file.toAbsolutePath());
        return secret;
    }
}
