package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM the benchmark starts with its own java binary and classpath: its output (standard output and
 * error together) is copied to a log file, and its {@code [tollgate]} / {@code [broker]} lines are
 * shown on standard error as progress. Closing it sends SIGTERM and waits up to 30 s before
 * SIGKILL; a shutdown hook does the same for every child still running, so Ctrl-C never leaves one
 * behind.
 */
final class ChildJvm implements AutoCloseable {

    /** In start order: the first (the broker, when there is one) is stopped last. */
    private static final List<ChildJvm> RUNNING = new CopyOnWriteArrayList<>();
    private static final String EXITED = "\u0000exited";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<ChildJvm> running = List.copyOf(RUNNING);
            if (!running.isEmpty()) {
                closeAll(running.subList(1, running.size()));
                running.get(0).close();
            }
        }, "bench-children-shutdown"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> progressLines = new LinkedBlockingQueue<>(10_000);
    private volatile boolean stopping;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} in a new JVM with {@code jvmOptions}, this JVM's classpath, the
     * arguments and the environment variables added to this process's.
     */
    static ChildJvm start(String name, List<String> jvmOptions, String mainClass,
            List<String> args, Map<String, String> env, Path log, PrintStream progress)
            throws IOException {
        return start(name, jvmOptions, null, mainClass, args, env, log, progress);
    }

    /** As above, with {@code classpath} instead of this JVM's where it is not null. */
    static ChildJvm start(String name, List<String> jvmOptions, String classpath,
            String mainClass, List<String> args, Map<String, String> env, Path log,
            PrintStream progress) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath != null ? classpath : System.getProperty("java.class.path"));
        if (classpath == null && nestedJars()) {
            // run from tollgate.jar (java -jar): the classes are nested in it, so Spring Boot's
            // launcher starts the child's main class from the same jar
            command.add("-Dloader.main=" + mainClass);
            command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        } else {
            command.add(mainClass);
        }
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        ChildJvm child = new ChildJvm(name, builder.start(), log);
        RUNNING.add(child);
        Thread.ofPlatform().daemon().name("bench-log-" + name).start(() -> child.copyOutput(
                progress));
        return child;
    }

    /** This JVM's java binary, which every child runs on. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Whether this JVM runs from tollgate.jar, its classes and jars nested in it. */
    static boolean nestedJars() {
        return ChildJvm.class.getClassLoader().getClass().getName().startsWith(
                "org.springframework.boot.loader.");
    }

    /** The usual JVM options split at spaces ({@code --system-jvm "-Xmx1g -XX:+UseZGC"}). */
    static List<String> options(String text) {
        return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }

    private void copyOutput(PrintStream progress) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process
                .getInputStream(), StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(
                        log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.write('\n');
                if (line.startsWith("[tollgate]") || line.startsWith("[broker]") || line
                        .startsWith("Exception in thread")) {
                    out.flush();
                    progress.println(line);
                    progressLines.offer(line);
                }
            }
        } catch (IOException e) {
            if (!stopping) { // destroy() closes the stream under us
                progress.println("[bench] " + name + ": stopped copying its output to " + log
                        + ": " + e.getMessage());
            }
        } finally {
            progressLines.offer(EXITED);
        }
    }

    /**
     * Waits for a progress line matching {@code wanted} and returns its match; fails with the line
     * and the log's path on a line matching {@code failure}, if the JVM exits, or after
     * {@code timeout}.
     */
    Matcher await(Pattern wanted, Pattern failure, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : progressLines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException(name + " printed no line like '" + wanted
                        + "' within " + timeout.toSeconds() + " s; see " + log);
            }
            if (line.equals(EXITED)) {
                throw new IllegalStateException(name + " exited" + exitCode() + " before it was"
                        + " ready; see " + log);
            }
            Matcher matcher = wanted.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
            if (failure != null && failure.matcher(line).find()) {
                throw new IllegalStateException(name + ": " + line + "; see " + log);
            }
        }
    }

    /** Waits until {@code http://127.0.0.1:port/readyz} answers 200. */
    void awaitReady(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited" + exitCode() + " before it was"
                        + " ready; see " + log);
            }
            try {
                var connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
                        + "/readyz").toURL().openConnection();
                connection.setConnectTimeout(2000);
                connection.setReadTimeout(5000);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200) {
                    return;
                }
                last = "HTTP " + status;
            } catch (IOException notYet) {
                last = notYet.toString(); // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not ready after " + timeout.toSeconds()
                + " s (/readyz: " + last + "); see " + log);
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? " with code " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** Asks it to stop (SIGTERM) without waiting. */
    void stop() {
        stopping = true;
        process.destroy();
    }

    /** SIGTERM, up to 30 s for it to stop, then SIGKILL. */
    @Override
    public void close() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                System.err.println("[bench] " + name + " did not stop within 30 s: killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(this);
    }

    /** Stops several at once: SIGTERM to all, then each waited for (SIGKILL after 30 s). */
    static void closeAll(List<ChildJvm> children) {
        children.forEach(ChildJvm::stop);
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).close();
        }
    }
}
