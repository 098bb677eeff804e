package dev.tollgate.launcher;

import dev.tollgate.decision.policy.load.ServiceGatorOptions;
import dev.tollgate.runtime.cli.Cli;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code tollgate run}: the standalone system (an embedded broker or an existing cluster, and
 * every role) until Ctrl-C or SIGTERM. Its own flags are below; every other {@code --key=value}
 * (or {@code --key value}) is a Spring setting passed to every role.
 */
@Command(name = "run", sortOptions = false, description = "Starts the embedded Kafka broker (or uses a cluster) and every role in this"
        + " JVM, until Ctrl-C.", footer = {"",
                "The HTTP listener is 127.0.0.1:8080 (SERVER_PORT changes the port). Any other"
                        + " --key=value (or --key value)",
                "is passed to every role, e.g. --tollgate.policy.file=policy.toml, or give the",
                "policy as service-gator does: --gh-repo myorg/app:read,push-new-branch."})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--fresh", description = "wipe the data folder first (broker log, embedded audit store)")
    boolean fresh;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where data is kept (default .tollgate; env TOLLGATE_DATA_DIR)")
    String dataDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", description = "the embedded broker's port on 127.0.0.1 (default 9092, 0 = any free;"
            + " env TOLLGATE_KAFKA_PORT)")
    String kafkaPort;

    @Option(names = {"--kafka",
            "--spring.kafka.bootstrap-servers"}, paramLabel = "HOST:PORT", description = "use an existing Kafka cluster instead of the embedded broker (also"
                    + " SPRING_KAFKA_BOOTSTRAP_SERVERS)")
    String kafka;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    boolean help;

    /** service-gator's --gh-repo and --scope: the decision worker's policy, instead of a file. */
    @Mixin
    ServiceGatorOptions serviceGator;

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final PrintStream err;

    RunCommand(Map<String, String> env, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    /** {@code tollgate run} writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out,
            PrintStream err) {
        return Cli.commandLine(new RunCommand(env, err), out, err);
    }

    @Override
    public Integer call() throws InterruptedException {
        LauncherOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TollgateLauncher launcher;
        try {
            launcher = TollgateLauncher.start(options);
        } catch (RuntimeException e) {
            err.println("tollgate run: could not start: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            launcher.close();
            stopped.countDown();
        }, "tollgate-shutdown"));
        stopped.await();
        return 0;
    }

    /** The options as given, with the defaults {@code env} supplies. */
    LauncherOptions options() {
        Path dir = Path.of(dataDir != null
                ? dataDir
                : env.getOrDefault("TOLLGATE_DATA_DIR", ".tollgate"));
        int port = kafkaPort != null
                ? parsePort(kafkaPort, "--kafka-port")
                : parsePort(env.getOrDefault("TOLLGATE_KAFKA_PORT", "9092"),
                        "TOLLGATE_KAFKA_PORT");
        String external = kafka != null
                ? kafka
                : blankToNull(env.get(
                        "SPRING_KAFKA_BOOTSTRAP_SERVERS"));
        List<String> roleArgs = new ArrayList<>(roleArgs());
        List<Cli.Given> policy = ServiceGatorOptions.given(spec.commandLine().getParseResult());
        if (!policy.isEmpty()) {
            if (roleArgs.stream().anyMatch(arg -> arg.startsWith("--tollgate.policy.file="))) {
                throw new IllegalArgumentException("give the policy as --tollgate.policy.file or "
                        + "as service-gator's --gh-repo/--scope, not both");
            }
            roleArgs.add("--tollgate.policy.command-line=" + commandLine(policy));
        }
        return new LauncherOptions(dir, fresh, port, external, help, roleArgs);
    }

    /** service-gator's options as tollgate.policy.command-line: a JSON array, in order. */
    static String commandLine(List<Cli.Given> options) {
        List<String> arguments = new ArrayList<>();
        for (Cli.Given option : options) {
            arguments.add(option.option());
            arguments.add(option.value());
        }
        return JsonMapper.builder().build().writeValueAsString(arguments);
    }

    /**
     * The Spring settings for every role, each as {@code --key=value}: picocli leaves them
     * unmatched in the order given; {@code --key value} is joined.
     */
    private List<String> roleArgs() {
        List<String> roleArgs = new ArrayList<>();
        for (int i = 0; i < unmatched.size(); i++) {
            String arg = unmatched.get(i);
            boolean option = arg.startsWith("--") && arg.length() > 2;
            if (option && arg.indexOf('=') > 2) {
                roleArgs.add(arg);
            } else if (option && i + 1 < unmatched.size() && !unmatched.get(i + 1).startsWith(
                    "--")) {
                roleArgs.add(arg + "=" + unmatched.get(++i));
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg
                        + "'; role settings take the form --key=value (or --key value)");
            }
        }
        return List.copyOf(roleArgs);
    }

    private static int parsePort(String text, String source) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a port number (0-65535), was '"
                    + text + "'");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
