package dev.tollgate.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets from a value, a file, or generated into a state file only this user can read. Values are
 * never logged; only file paths are.
 *
 * <p>A file is checked before it is trusted (on POSIX file systems):
 * <ul>
 * <li>a <b>state file</b> (one Tollgate generates, e.g. {@code .tollgate/admin-key}) must be a
 * regular file, not a symbolic link, owned by this process's user and readable by it alone (mode
 * 0600 or 0400): anything else means someone other than Tollgate made or can read it;</li>
 * <li>a <b>configured file</b> ({@code *_FILE}, which an operator or an orchestrator provides)
 * must be a regular file (a symbolic link to one is fine: Kubernetes mounts Secrets as links)
 * that not every user can write (anyone could swap the secret). One that every user can read
 * (and reach: a folder above it without {@code o+x} keeps them out), its group can write, or
 * another user than this one or root owns is used with a warning naming the fix: Docker Compose
 * bind-mounts a secret with its owner and mode on the host (a host user's ID), which the
 * container's user does not match, so it must stay readable by others there and only the host
 * folder it comes from, which the container cannot see, can keep the host's users out.</li>
 * </ul>
 * A refused file stops start-up with a message naming the file and the command that fixes it.
 */
public final class SecretFiles {

    private static final Logger log = LoggerFactory.getLogger(SecretFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

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
            return readConfigured(what, file);
        }
        return readOrGenerate(what, generatedFile);
    }

    /** The trimmed, non-empty content of a file an operator configured, after checking it. */
    public static String readConfigured(String what, Path file) {
        checkConfigured(what, file);
        return read(what, file);
    }

    /**
     * The content of a state file, after checking it; generated (32 random bytes, base64url, mode
     * 0600 in a directory created 0700) if missing.
     */
    public static String readOrGenerate(String what, Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            checkState(what, file);
            log.info("{}: using the generated secret in {}", what, file.toAbsolutePath());
            return read(what, file);
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            Path parent = file.toAbsolutePath().getParent();
            boolean posix = posix(parent);
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
            checkState(what, file); // another replica on this host won the race
            return read(what, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated " + what + " to " + file
                    + ": " + e.getMessage(), e);
        }
        log.warn("{} was not configured: generated one in {} (readable by this user only)", what,
                file.toAbsolutePath());
        return secret;
    }

    /**
     * Refuses a state file that is a symbolic link, not a regular file, owned by another user, or
     * accessible to its group or others.
     *
     * @throws IllegalStateException naming the file and the fix
     */
    public static void checkState(String what, Path file) {
        Path absolute = file.toAbsolutePath();
        if (Files.isSymbolicLink(absolute)) {
            throw new IllegalStateException("refusing the " + what + " state file " + absolute
                    + ": it is a symbolic link, so whoever controls its target controls the"
                    + " secret; delete the link (a new secret is generated at the next start) or"
                    + " configure the file explicitly");
        }
        Optional<PosixFileAttributes> attributes = attributes(what, absolute,
                LinkOption.NOFOLLOW_LINKS);
        if (attributes.isEmpty()) {
            return; // not a POSIX file system: nothing to check
        }
        if (!attributes.get().isRegularFile()) {
            throw new IllegalStateException("refusing the " + what + " state file " + absolute
                    + ": it is not a regular file; delete it (a new secret is generated at the"
                    + " next start)");
        }
        OptionalOwner.check(what, absolute, false);
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        loose.addAll(attributes.get().permissions());
        loose.retainAll(GROUP_OR_OTHERS);
        if (!loose.isEmpty()) {
            throw new IllegalStateException("refusing the " + what + " state file " + absolute
                    + ": its mode " + PosixFilePermissions.toString(attributes.get().permissions())
                    + " lets other users read or change it; run `chmod 600 " + absolute
                    + "` (and replace the secret if someone may have read it)");
        }
    }

    /**
     * Refuses a configured file that is not a regular file or that every user can write; warns
     * about one every user can read, its group can write, or another user (not root) owns.
     *
     * @throws IllegalStateException naming the file and the fix
     */
    public static void checkConfigured(String what, Path file) {
        Path absolute = file.toAbsolutePath();
        Optional<PosixFileAttributes> attributes = attributes(what, absolute);
        if (attributes.isEmpty()) {
            return;
        }
        if (!attributes.get().isRegularFile()) {
            throw new IllegalStateException("the " + what + " file " + absolute
                    + " is not a regular file: point the setting at the file holding the secret");
        }
        Set<PosixFilePermission> permissions = attributes.get().permissions();
        if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalStateException("refusing the " + what + " file " + absolute
                    + ": its mode " + PosixFilePermissions.toString(permissions)
                    + " lets every user replace the secret; run `chmod go-w,o-r " + absolute
                    + "` (0400 or 0600 is best) and replace the secret");
        }
        if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
            log.warn("the {} file {} can be changed by its group (mode {}): run `chmod g-w {}`"
                    + " where it is kept", what, absolute,
                    PosixFilePermissions.toString(
                            permissions),
                    absolute);
        }
        if (permissions.contains(PosixFilePermission.OTHERS_READ) && othersCanReach(absolute)) {
            log.warn("the {} file {} can be read by every user on this host (mode {}, and every"
                    + " folder above it lets them through): if this process's user owns it, run"
                    + " `chmod 600 {}`; if it is a Docker Compose secret (a host file mounted into"
                    + " this container, whose user must keep reading it), keep its mode and make"
                    + " the host folder it comes from one only its owner can enter (`chmod 700`,"
                    + " as compose/secrets/README.md does); replace the secret if someone may have"
                    + " read it", what, absolute, PosixFilePermissions.toString(permissions),
                    absolute);
        }
        OptionalOwner.foreign(absolute, true).ifPresent(owner -> log.warn("the {} file {} is"
                + " owned by user {}, not by this process's user or root: that user can replace"
                + " the secret; `chown` it to the user that runs Tollgate (or root)", what,
                absolute, owner));
    }

    /**
     * Whether every folder above the file (after links) lets every user through: a folder without
     * {@code o+x} keeps the others from a file however readable it is.
     */
    private static boolean othersCanReach(Path file) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return true;
        }
        for (Path folder = real.getParent(); folder != null; folder = folder.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(folder).contains(
                        PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return true;
            }
        }
        return true;
    }

    private static Optional<PosixFileAttributes> attributes(String what, Path file,
            LinkOption... options) {
        if (!posix(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAttributes(file, PosixFileAttributes.class, options));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the " + what + " file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String read(String what, Path file) {
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

    /** The owner check, by numeric user ID (a container user may have no name). */
    private static final class OptionalOwner {

        private OptionalOwner() {
        }

        /** The owner's user ID if it is neither this process's user nor (if allowed) root. */
        static Optional<Long> foreign(Path file, boolean rootAllowed) {
            Optional<Long> self = processUid();
            Object owner;
            try {
                owner = Files.getAttribute(file, "unix:uid", rootAllowed
                        ? new LinkOption[0]
                        : new LinkOption[]{LinkOption.NOFOLLOW_LINKS});
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return Optional.empty(); // no numeric owner on this file system
            }
            if (self.isEmpty() || !(owner instanceof Integer uid)) {
                return Optional.empty();
            }
            long fileUid = Integer.toUnsignedLong(uid);
            if (fileUid == self.get() || (rootAllowed && fileUid == 0)) {
                return Optional.empty();
            }
            return Optional.of(fileUid);
        }

        static void check(String what, Path file, boolean rootAllowed) {
            Optional<Long> owner = foreign(file, rootAllowed);
            if (owner.isEmpty()) {
                return;
            }
            long self = processUid().orElse(-1L);
            throw new IllegalStateException("refusing the " + what + " file " + file
                    + ": it is owned by user " + owner.get() + ", not by this process's user ("
                    + self + "), who can replace the secret; `chown " + self + " " + file
                    + "` if the file is yours, or delete it (a new secret is generated at the"
                    + " next start)");
        }

        private static Optional<Long> processUid() {
            try {
                return Optional.of(new com.sun.security.auth.module.UnixSystem().getUid());
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty(); // not a Unix JVM
            }
        }
    }
}
