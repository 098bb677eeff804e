package dev.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js script with its pinned npm packages, for tests that check our output with a tool
 * published on npm (schema validators). {@link #install} copies the script's folder (its
 * {@code package.json}, {@code package-lock.json} and scripts) into a work folder under
 * {@code target} and runs {@code npm ci} there the first time and whenever the lock file changed
 * (the npm registry must be reachable then). Node 20 or newer and npm must be on the PATH.
 */
public final class NodeScripts {

    private final Path work;

    private NodeScripts(Path work) {
        this.work = work;
    }

    /**
     * Installs {@code sources} (a folder with package.json, package-lock.json and the scripts
     * named in {@code scripts}) into {@code work}, once per lock file.
     */
    public static synchronized NodeScripts install(Path sources, Path work,
            List<String> scripts) {
        try {
            Files.createDirectories(work);
            byte[] lock = Files.readAllBytes(sources.resolve("package-lock.json"));
            Path installed = work.resolve("node_modules/.package-lock.json");
            Path stamp = work.resolve("installed-package-lock.json");
            boolean current = Files.isRegularFile(installed) && Files.isRegularFile(stamp)
                    && Arrays.equals(Files.readAllBytes(stamp), lock);
            List<String> files = new ArrayList<>(List.of("package.json", "package-lock.json"));
            files.addAll(scripts);
            for (String file : files) {
                Files.copy(sources.resolve(file), work.resolve(file),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            if (!current) {
                run(work, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
                Files.write(stamp, lock);
            }
            return new NodeScripts(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder the packages are installed in. */
    public Path work() {
        return work;
    }

    /** Runs {@code node script args...} in the work folder; its standard output. */
    public String node(long timeoutSeconds, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        try {
            return run(work, timeoutSeconds, command.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code node script args...} in the work folder and waits until its standard output
     * has a line starting with {@code readyPrefix} (a server saying where it listens).
     *
     * @throws IllegalStateException when it exits or stays silent past the timeout, with what it
     *         printed
     */
    public Running start(Duration timeout, String readyPrefix, String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(work, "server", ".out");
            Path err = Files.createTempFile(work, "server", ".err");
            Process process = new ProcessBuilder(command).directory(work.toFile()).redirectOutput(
                    out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            Running running = new Running(process, out, err);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String ready = running.lines().stream().filter(line -> line.startsWith(
                        readyPrefix)).findFirst().orElse(null);
                if (ready != null) {
                    running.readyLine = ready;
                    return running;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            String output = running.output();
            running.close();
            throw new IllegalStateException(String.join(" ", command) + " did not print '"
                    + readyPrefix + "' within " + timeout.toSeconds() + " s (alive: " + process
                            .isAlive()
                    + "); it printed: " + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A Node.js process started by {@link #start}; closing it ends it. */
    public static final class Running implements AutoCloseable {

        private final Process process;
        private final Path out;
        private final Path err;
        private volatile String readyLine;

        private Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** The line that said it was ready. */
        public String readyLine() {
            return readyLine;
        }

        /** Its standard output so far, by line. */
        public List<String> lines() throws IOException {
            return Files.readAllLines(out, StandardCharsets.UTF_8);
        }

        /** Its standard output and error so far, for a failure message. */
        public String output() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err,
                    StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Output goes to files, so a hung process cannot block the reader past the timeout. */
    private static String run(Path dir, long timeoutSeconds, String... command)
            throws IOException {
        Path log = Files.createTempFile(dir, "run", ".err");
        Path out = Files.createTempFile(dir, "run", ".out");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectError(log.toFile()).redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException(String.join(" ", command)
                        + " cannot start: install Node.js 20+ and npm (Debian: apt-get install"
                        + " nodejs npm): " + e.getMessage(), e);
            }
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " still running after "
                        + timeoutSeconds + " s; its stderr: " + Files.readString(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited "
                        + process.exitValue() + " in " + dir + ": " + Files.readString(log));
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(out);
        }
    }
}
