package dev.tollgate.bench;

import dev.tollgate.launcher.StandaloneKafkaSecurity;
import dev.tollgate.launcher.TollgateLauncher;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code --system process} (the default): the standalone system as the launcher runs it, in one
 * child JVM with this JVM's java binary and classpath, so the load generator and the stand-in do
 * not share its heap, its CPU figures or its RSS. The ports are read from the launcher's own lines;
 * its output goes to {@code system.log} in the run's folder.
 */
final class ProcessSystem implements SystemUnderTest {

    /** A 2 GB bound, and the initial heap {@code bin/tollgate run} gives the standalone. */
    static final List<String> DEFAULT_JVM = List.of("-Xmx2g", "-Xms1g");
    static final Pattern BROKER_UP = Pattern.compile(
            "^\\[tollgate\\] Kafka broker up at (\\S+) in \\d+ ms");
    static final Pattern READY = Pattern.compile(
            "^\\[tollgate\\] ready in \\d+ ms: (http://127\\.0\\.0\\.1:\\d+) ");
    static final Pattern NOT_READY = Pattern.compile(
            "^\\[tollgate\\] not ready after a minute|^Exception in thread \"main\"");
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final SystemSetup setup;
    private final ChildJvm child;
    private final String bootstrap;
    private final String baseUrl;
    private final Duration startup;

    private ProcessSystem(SystemSetup setup, ChildJvm child, String bootstrap, String baseUrl,
            Duration startup) {
        this.setup = setup;
        this.child = child;
        this.bootstrap = bootstrap;
        this.baseUrl = baseUrl;
        this.startup = startup;
    }

    static ProcessSystem start(String githubUrl, List<String> owners, List<String> extraArgs,
            List<String> jvmOptions, PrintStream progress) throws Exception {
        return start(githubUrl, owners, extraArgs, jvmOptions, null, progress);
    }

    /** As above, from {@code classpath} instead of this JVM's where it is not null. */
    static ProcessSystem start(String githubUrl, List<String> owners, List<String> extraArgs,
            List<String> jvmOptions, String classpath, PrintStream progress) throws Exception {
        SystemSetup setup = SystemSetup.create(owners);
        ChildJvm child = null;
        try {
            long started = System.nanoTime();
            // the admin key reaches the child through its environment, not its command line
            child = ChildJvm.start("system", jvmOptions, classpath, TollgateLauncher.class
                    .getName(), setup.launcherArgs(githubUrl, extraArgs),
                    Map.of("TOLLGATE_ADMIN_KEY", setup
                            .adminKey()),
                    setup.log("system"), progress);
            progress.printf("[bench] system JVM pid %d, log %s%n", child.pid(), child.log());
            String bootstrap = child.await(BROKER_UP, NOT_READY, START_TIMEOUT).group(1);
            String baseUrl = child.await(READY, NOT_READY, START_TIMEOUT).group(1);
            return new ProcessSystem(setup, child, bootstrap, baseUrl, Duration.ofNanos(System
                    .nanoTime() - started));
        } catch (Exception | Error e) {
            if (child != null) {
                child.close();
            }
            setup.delete();
            throw e;
        }
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    /** The launcher in the child generated the passwords into its data folder. */
    @Override
    public Map<String, Object> kafkaClientProperties() {
        return StandaloneKafkaSecurity.load(setup.dir().resolve("data")).clientProperties(
                bootstrap, StandaloneKafkaSecurity.BROKER);
    }

    @Override
    public String adminKey() {
        return setup.adminKey();
    }

    @Override
    public long brokerPid() {
        return child.pid();
    }

    @Override
    public List<ProcessStats.Measured> processes() {
        return List.of(new ProcessStats.Measured("system (broker and every role)", child.pid()));
    }

    @Override
    public String description() {
        return "standalone system in one child JVM";
    }

    /** From starting its JVM to the launcher's "ready" line. */
    Duration startup() {
        return startup;
    }

    @Override
    public void close() {
        child.close();
        setup.delete();
    }
}
