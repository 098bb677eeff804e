package dev.tollgate.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The launcher's own flags; everything else on the command line is passed to every role as a
 * Spring argument (e.g. {@code --tollgate.policy.file=policy.toml}). Parsed by
 * {@link RunCommand} ({@code tollgate run}).
 *
 * @param dataDir where the embedded broker and the embedded audit store keep their data
 * @param fresh wipe {@code dataDir} before starting
 * @param kafkaPort the embedded broker's client port (0: any free port)
 * @param externalKafka bootstrap servers of an existing cluster; no embedded broker then
 * @param help the usage was asked for
 * @param roleArgs arguments passed to every role, each {@code --key=value}
 */
public record LauncherOptions(Path dataDir, boolean fresh, int kafkaPort, String externalKafka,
        boolean help, List<String> roleArgs) {

    public LauncherOptions {
        roleArgs = List.copyOf(roleArgs);
    }

    /**
     * Parses {@code tollgate run}'s command line; {@code env} supplies the defaults it reads. A
     * wrong one throws {@link IllegalArgumentException} saying what is wrong, then the usage.
     */
    public static LauncherOptions parse(String[] args, Map<String, String> env) {
        RunCommand command = new RunCommand(env, System.err);
        CommandLine commandLine = new CommandLine(command).setCommandName("tollgate run");
        commandLine.setExpandAtFiles(false);
        try {
            commandLine.parseArgs(args);
            return command.options();
        } catch (ParameterException e) {
            throw new IllegalArgumentException(dev.tollgate.runtime.cli.Cli.message(e) + "\n\n"
                    + usage(commandLine), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n\n" + usage(commandLine), e);
        }
    }

    private static String usage(CommandLine commandLine) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        commandLine.usage(new PrintStream(text, true, StandardCharsets.UTF_8));
        return text.toString(StandardCharsets.UTF_8);
    }
}
