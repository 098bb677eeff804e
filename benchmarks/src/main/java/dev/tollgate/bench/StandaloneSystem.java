package dev.tollgate.bench;

import dev.tollgate.launcher.LauncherOptions;
import dev.tollgate.launcher.TollgateLauncher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --system in-process}: the standalone system in this JVM, as the launcher's command line
 * starts it: an embedded broker on a free port, every role, the ingress on a free port, the
 * executor pointed at the stand-in with a freshly generated App key, and a policy granting read on
 * the benchmark's owners. Everything lives in a temporary folder that is deleted on close.
 */
final class StandaloneSystem implements SystemUnderTest {

    private final SystemSetup setup;
    private final TollgateLauncher launcher;

    private StandaloneSystem(SystemSetup setup, TollgateLauncher launcher) {
        this.setup = setup;
        this.launcher = launcher;
    }

    static StandaloneSystem start(String githubUrl, List<String> owners, List<String> extraArgs)
            throws Exception {
        SystemSetup setup = SystemSetup.create(owners);
        try {
            List<String> args = new ArrayList<>(setup.launcherArgs(githubUrl, extraArgs));
            args.add(setup.adminKeyArg());
            return new StandaloneSystem(setup, TollgateLauncher.start(LauncherOptions.parse(args
                    .toArray(String[]::new), Map.of())));
        } catch (Exception | Error e) {
            setup.delete();
            throw e;
        }
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + launcher.httpPort();
    }

    @Override
    public String bootstrapServers() {
        return launcher.bootstrapServers();
    }

    @Override
    public Map<String, Object> kafkaClientProperties() {
        return launcher.kafkaClientProperties(dev.tollgate.launcher.StandaloneKafkaSecurity.BROKER);
    }

    @Override
    public String adminKey() {
        return setup.adminKey();
    }

    @Override
    public long brokerPid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public List<ProcessStats.Measured> processes() {
        return List.of();
    }

    @Override
    public String description() {
        return "standalone system in this JVM";
    }

    @Override
    public void close() {
        launcher.close();
        setup.delete();
    }
}
