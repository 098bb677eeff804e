package dev.tollgate.runtime.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Folders that hold what only this user may read: the standalone's data folder ({@code
 * .tollgate/}: the broker's log with every agent's answers, the audit store, generated keys) and
 * whatever a tool puts in it. Every folder is created 0700, whatever the umask, so whichever
 * command runs first ({@code tollgate run}, {@code bench}, {@code audit verify}) makes the data
 * folder private.
 */
public final class PrivateFolders {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString(
            "rwx------");

    private PrivateFolders() {
    }

    /**
     * Creates {@code dir} and every missing folder above it with mode 0700 (on POSIX file
     * systems); folders that exist are left as they are.
     */
    public static Path create(Path dir) {
        try {
            if (posix(dir)) {
                return Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        OWNER_ONLY));
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder " + dir.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the folder 0700, or makes an existing one 0700: a folder this user owns that its
     * group or other users can enter is tightened (the returned line says so); one another user
     * owns is refused, since that user could read or replace what is kept there.
     *
     * @param what names the folder in messages, e.g. "the data folder"
     * @return a line saying what was tightened, if anything was
     */
    public static Optional<String> createOrTighten(String what, Path dir) {
        Path absolute = dir.toAbsolutePath();
        if (!Files.isDirectory(absolute)) {
            create(absolute);
            return Optional.empty();
        }
        if (!posix(absolute)) {
            return Optional.empty();
        }
        try {
            Optional<Long> self = processUid();
            Object owner = Files.getAttribute(absolute, "unix:uid");
            if (self.isPresent() && owner instanceof Integer uid && Integer.toUnsignedLong(
                    uid) != self.get()) {
                throw new IllegalStateException("refusing " + what + " " + absolute
                        + ": it belongs to user " + Integer.toUnsignedLong(uid)
                        + ", not to this process's user (" + self.get() + "), who could read"
                        + " or replace the broker's log, the audit store and the keys kept"
                        + " there; use a folder of your own (--data-dir), or `chown -R "
                        + self.get() + " " + absolute + "` if it is yours");
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(absolute);
            if (permissions.equals(OWNER_ONLY) || OWNER_ONLY.containsAll(permissions)) {
                return Optional.empty();
            }
            Files.setPosixFilePermissions(absolute, OWNER_ONLY);
            return Optional.of(what + " " + absolute + " was mode " + PosixFilePermissions
                    .toString(permissions) + ", so other users could enter it and read what"
                    + " Tollgate keeps there; it is now rwx------ (chmod 700)");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot make " + what + " " + absolute
                    + " private (" + e.getMessage() + "): run `chmod 700 " + absolute
                    + "`, or use a folder of your own (--data-dir)", e);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static Optional<Long> processUid() {
        try {
            return Optional.of(new com.sun.security.auth.module.UnixSystem().getUid());
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }
}
