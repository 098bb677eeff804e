package dev.tollgate.launcher;

import java.util.List;
import java.util.Map;

/**
 * The benchmark's door into the launcher: {@link LauncherOptions} is package-private, so this
 * class lives in the launcher's package (in the benchmarks jar) and starts the launcher exactly as
 * its command line does.
 */
public final class BenchLaunch {

    private BenchLaunch() {
    }

    /** Starts everything as {@code tollgate ARGS} would, with an empty environment. */
    public static TollgateLauncher start(List<String> args) {
        return TollgateLauncher.start(LauncherOptions.parse(args.toArray(String[]::new), Map
                .of()));
    }
}
