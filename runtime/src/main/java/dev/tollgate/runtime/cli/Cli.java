package dev.tollgate.runtime.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The conventions every Tollgate command shares ({@code tollgate run}, {@code explain},
 * {@code audit ...}, {@code bench}), so they parse and fail alike:
 *
 * <ul>
 * <li>picocli parses: {@code --name value} and {@code --name=value} both work;
 * <li>{@code --help} prints the usage on standard output and exits 0;
 * <li>a wrong command line prints {@code COMMAND: what is wrong} and the usage on standard error
 * and exits {@value #USAGE};
 * <li>an unexpected failure prints its stack trace on standard error and exits
 * {@value #INTERNAL_ERROR}, never a code a command gives a meaning (explain's 1 is "denied");
 * <li>no {@code @file} expansion: an argument starting with {@code @} is taken as written.
 * </ul>
 */
public final class Cli {

    /** The command line is wrong; the message says what to write instead. */
    public static final int USAGE = 2;

    /** A bug: an exception no command expected (sysexits' EX_SOFTWARE). */
    public static final int INTERNAL_ERROR = 70;

    private Cli() {
    }

    /** A command line for {@code command} writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Object command, PrintStream out, PrintStream err) {
        return configure(new CommandLine(command), out, err);
    }

    /**
     * Applies the conventions to {@code cli} and to every subcommand it has now (add subcommands
     * first).
     */
    public static CommandLine configure(CommandLine cli, PrintStream out, PrintStream err) {
        cli.setOut(writer(out));
        cli.setErr(writer(err));
        cli.setExpandAtFiles(false);
        cli.setUsageHelpWidth(100);
        cli.setParameterExceptionHandler(Cli::usageError);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            PrintWriter writer = command.getErr();
            writer.println(command.getCommandSpec().qualifiedName() + ": unexpected failure: "
                    + e);
            e.printStackTrace(writer);
            writer.flush();
            return INTERNAL_ERROR;
        });
        return cli;
    }

    /** Thrown by a command whose options parsed but do not fit together. */
    public static ParameterException usage(CommandLine command, String message) {
        return new ParameterException(command, message);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + message(e));
        command.usage(err);
        err.flush();
        return USAGE;
    }

    /** picocli's message, said the way the fix is written. */
    public static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched()
                .isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            List<String> suggestions = unmatched.getSuggestions();
            String hint = suggestions.isEmpty()
                    ? ""
                    : " (did you mean " + String.join(" or ", suggestions) + "?)";
            if (first.startsWith("-")) {
                return "unknown option " + first + hint;
            }
            var subcommands = e.getCommandLine().getSubcommands().keySet();
            return subcommands.isEmpty()
                    ? "unexpected argument '" + first + "'" + hint
                    : "unknown command '" + first + "': use " + String.join(", ",
                            subcommands);
        }
        return e.getMessage();
    }

    /** One option as given on the command line; {@code value} is null for a flag. */
    public record Given(String option, String value) {
    }

    /**
     * The matched options {@code which} selects, in the order they were given, each with the value
     * of that occurrence: for options whose order matters (later ones refine earlier ones).
     */
    public static List<Given> inOrder(ParseResult result, Predicate<OptionSpec> which) {
        Map<ArgSpec, Integer> next = new HashMap<>();
        List<Given> given = new ArrayList<>();
        for (ArgSpec arg : result.matchedArgs()) {
            if (!(arg instanceof OptionSpec option) || !which.test(option)) {
                continue;
            }
            if (option.arity().max() == 0) {
                given.add(new Given(option.longestName(), null));
                continue;
            }
            int index = next.merge(option, 1, Integer::sum) - 1;
            List<String> values = option.originalStringValues();
            given.add(new Given(option.longestName(), index < values.size()
                    ? values.get(index)
                    : null));
        }
        return given;
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }
}
