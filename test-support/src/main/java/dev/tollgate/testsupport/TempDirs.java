package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary folders for fixtures that outlive one test (a class's signing key, a policy file a
 * static context reads, a standalone system's data): deleted with everything in them when the
 * test JVM exits, so test runs leave no keys or data behind in the temporary folder.
 */
public final class TempDirs {

    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> CREATED
                .forEach(TempDirs::deleteQuietly)));
    }

    private TempDirs() {
    }

    /** A new folder under the temporary folder, named {@code prefix...}, gone at JVM exit. */
    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            CREATED.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a temporary folder " + prefix, e);
        }
    }

    /**
     * Copies the tree at {@code from} to {@code to}, leaving out files named {@code leaveOut}
     * (e.g. a live store's {@code lock}); returns {@code to}.
     */
    public static Path copyTree(Path from, Path to, String leaveOut) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals(leaveOut)) {
                    Files.copy(path, target);
                }
            }
        }
        return to;
    }

    /** Deletes {@code dir} and everything under it now; what cannot be deleted is left. */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // left for the operating system's cleaning of the temporary folder
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
