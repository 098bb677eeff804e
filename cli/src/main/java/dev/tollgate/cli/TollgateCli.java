package dev.tollgate.cli;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.bench.Bench;
import dev.tollgate.decision.ExplainCommand;
import dev.tollgate.launcher.RunCommand;
import dev.tollgate.runtime.cli.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code tollgate} command: {@code run}, {@code explain}, {@code audit verify|export|replay|
 * migrate}, {@code bench}, {@code version}. {@code bin/tollgate} runs it from the build;
 * {@code java -jar cli/target/tollgate.jar} is the same with every command in one jar.
 */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = TollgateCli.Version.class, synopsisSubcommandLabel = "COMMAND", description = "Tollgate, the credential broker for AI agents.", footer = {
        "", "`tollgate COMMAND --help` says more about each command."})
public final class TollgateCli implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.out, System.err, Clock.systemUTC())
                .execute(args));
    }

    /** Every command, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Map<String, String> env, PrintStream out,
            PrintStream err, Clock clock) {
        CommandLine tollgate = new CommandLine(new TollgateCli());
        tollgate.addSubcommand("run", RunCommand.commandLine(env, out, err));
        tollgate.addSubcommand("explain", ExplainCommand.commandLine(out, err));
        tollgate.addSubcommand("audit", new AuditCommand(out, err, clock, env).commandLine());
        tollgate.addSubcommand("bench", Bench.commandLine(out, err));
        tollgate.addSubcommand("version", new VersionCommand(out));
        tollgate.addSubcommand("help", new HelpCommand());
        return Cli.configure(tollgate, out, err);
    }

    @Override
    public Integer call() {
        throw Cli.usage(spec.commandLine(), "name a command: run, explain, audit, bench or"
                + " version");
    }

    /** {@code tollgate version}: the same as {@code tollgate --version}. */
    @Command(name = "version", description = "Prints the version of Tollgate and of the JVM.")
    static final class VersionCommand implements Callable<Integer> {

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        private boolean help;

        private final PrintStream out;

        VersionCommand(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            out.flush();
            return 0;
        }
    }

    /** Tollgate's version (from the build) and the JVM's. */
    public static final class Version implements IVersionProvider {

        @Override
        public String[] getVersion() {
            return new String[]{"tollgate " + tollgateVersion(), "Java " + Runtime.version()
                    + " (" + System.getProperty("java.vendor") + ") on " + System.getProperty(
                            "os.name")
                    + " " + System.getProperty("os.arch").toLowerCase(
                            Locale.ROOT)};
        }

        static String tollgateVersion() {
            Properties properties = new Properties();
            try (InputStream in = TollgateCli.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    return "unknown (no version.properties: not built by Maven)";
                }
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return properties.getProperty("version", "unknown");
        }
    }
}
