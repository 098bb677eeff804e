package dev.tollgate.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * JDK 25's ahead-of-time cache for the standalone system (JEP 483, 514, 515): a training run
 * records which classes the system loads and links and how its methods behave under load
 * ({@code -XX:AOTMode=record}), a second JVM assembles the cache from that record
 * ({@code -XX:AOTMode=create}), and the system then starts from it ({@code -XX:AOTMode=on}, which
 * fails rather than start without it). The cache holds classes and method profiles, not compiled
 * code: the JIT still compiles, sooner.
 *
 * <p>The cache takes a classpath of jars only, so the module folders ({@code target/classes}) the
 * benchmark runs from are first copied into one jar each, directory entries included (Spring's
 * classpath scanning looks for them). Training and use must see the same jars, unchanged.
 */
final class AotCache {

    /** The JDK release whose {@code java} records and uses a cache in these steps. */
    static final int JDK = 25;
    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(5);

    private final Path dir;
    private final String classpath;
    private final Map<Path, String> stamps;

    private AotCache(Path dir, String classpath, Map<Path, String> stamps) {
        this.dir = dir;
        this.classpath = classpath;
        this.stamps = stamps;
    }

    /**
     * Why a cache cannot be trained and used for this run, or null when it can: it needs JDK
     * {@value #JDK}+, the system in one child JVM ({@code --system process}), and the benchmark
     * started from a classpath (not from {@code tollgate.jar}, whose jars are nested).
     */
    static String unsupported(Bench.SystemMode mode, int javaFeature, boolean nestedJars) {
        if (javaFeature < JDK) {
            return "the AOT cache needs JDK " + JDK + " or newer; this is JDK " + javaFeature;
        }
        if (mode != Bench.SystemMode.PROCESS) {
            return "the AOT cache is measured with --system process only";
        }
        if (nestedJars) {
            return "run from tollgate.jar, whose jars are nested (the cache takes plain jars):"
                    + " run bin/tollgate bench, or java -jar on the extracted jar";
        }
        return null;
    }

    /**
     * A cache in {@code dir} for {@code classpath}: every folder on it is copied into a jar in
     * {@code dir}, in the same order; jars stay as they are.
     */
    static AotCache prepare(Path dir, String classpath) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int folder = 0;
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                Path jar = dir.resolve(String.format(Locale.ROOT, "%02d-%s.jar", folder++,
                        folderName(path)));
                jar(path, jar);
                entries.add(jar.toString());
            } else if (Files.exists(path)) {
                entries.add(entry);
            }
        }
        Map<Path, String> stamps = new LinkedHashMap<>();
        for (String entry : entries) {
            stamps.put(Path.of(entry), stamp(Path.of(entry)));
        }
        return new AotCache(dir, String.join(java.io.File.pathSeparator, entries), Map.copyOf(
                stamps));
    }

    private static String stamp(Path jar) throws IOException {
        return Files.size(jar) + " bytes, modified " + Files.getLastModifiedTime(jar);
    }

    /**
     * Fails, naming the jar, if a jar on the classpath changed since {@link #prepare}: a JVM must
     * not start from a cache trained on other classes, and JDK 25 up to 25.0.3 does not check
     * (it runs the cached, old classes: JDK-8377932, fixed in 25.0.4).
     */
    void checkUnchanged() throws IOException {
        for (var entry : stamps.entrySet()) {
            String now = Files.exists(entry.getKey()) ? stamp(entry.getKey()) : "gone";
            if (!now.equals(entry.getValue())) {
                throw new IllegalStateException(entry.getKey() + " changed since the AOT cache"
                        + " was trained (" + entry.getValue() + "; now " + now + "): a JVM"
                        + " started from the cache would run the classes it was trained on");
            }
        }
    }

    /** {@code …/ingress/target/classes} is named {@code ingress}. */
    static String folderName(Path folder) {
        Path name = folder.getFileName();
        Path parent = folder.getParent();
        if (name != null && name.toString().equals("classes") && parent != null && parent
                .getFileName() != null && parent.getFileName().toString().equals("target")
                && parent.getParent() != null && parent.getParent().getFileName() != null) {
            return parent.getParent().getFileName().toString();
        }
        return name == null ? "root" : name.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /**
     * Copies every file under {@code folder} into {@code jar} with the JDK's own jar tool, which
     * keeps the directory entries and times (no manifest: the folder brings its own META-INF).
     */
    static void jar(Path folder, Path jar) throws IOException {
        ToolProvider tool = ToolProvider.findFirst("jar")
                .orElseThrow(() -> new IllegalStateException(
                        "the AOT cache's jars are made with the JDK's jar tool, which this Java lacks:"
                                + " run the bench on a JDK"));
        StringWriter output = new StringWriter();
        PrintWriter out = new PrintWriter(output);
        int exit = tool.run(out, out, "--create", "--no-manifest", "--file", jar.toString(), "-C",
                folder.toString(), ".");
        out.flush();
        if (exit != 0) {
            throw new IOException("jar --create --file " + jar + " -C " + folder + " . exited with "
                    + exit + ": " + output.toString().strip());
        }
    }

    /** The classpath of jars the training and the measured JVM both run from. */
    String classpath() {
        return classpath;
    }

    Path configuration() {
        return dir.resolve("system.aotconf");
    }

    Path cache() {
        return dir.resolve("system.aot");
    }

    /** The training JVM's options: it records what it loads and profiles, written as it exits. */
    List<String> recordOptions() {
        return List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration());
    }

    /** The measured JVM's options: it starts from the cache, or not at all. */
    List<String> useOptions() {
        return List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache());
    }

    /** What assembling the cache took. */
    record Created(long bytes, double seconds) {
    }

    /**
     * Assembles the cache from the training run's record in a JVM of {@code java} with the
     * system's {@code jvmOptions}; fails with the end of its output if it does not.
     */
    Created create(String java, List<String> jvmOptions, PrintStream progress)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(configuration()) || Files.size(configuration()) == 0) {
            throw new IllegalStateException("the training JVM wrote no AOT configuration to "
                    + configuration() + " (it writes it as it exits; see its log)");
        }
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration(),
                "-XX:AOTCache=" + cache(), "-cp", classpath));
        Path log = dir.resolve("create.log");
        progress.printf("[bench] assembling the AOT cache from the training run's record (log %s)"
                + "...%n", log);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                log.toFile()).start();
        if (!process.waitFor(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("assembling the AOT cache took over "
                    + CREATE_TIMEOUT.toMinutes() + " min; see " + log);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (process.exitValue() != 0 || !Files.isRegularFile(cache())) {
            throw new IllegalStateException("assembling the AOT cache failed (exit code "
                    + process.exitValue() + "): " + tail(log) + "; see " + log);
        }
        return new Created(Files.size(cache()), seconds);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
