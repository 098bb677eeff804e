package dev.tollgate.audit;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code audit replay}: not yet available in this build. */
final class ReplayCommand {

    private ReplayCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err, Clock clock,
            Map<String, String> env) {
        throw new UsageException("replay is not implemented yet");
    }
}
