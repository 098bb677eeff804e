package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/tollgate.jar} (after {@code package}): {@code java -jar} runs every
 * command, and a child JVM started from it the way {@code bench} starts one finds its classes.
 */
class TollgateJarIT {

    private static final Path JAR = Path.of("target", "tollgate.jar");

    @TempDir
    Path dir;

    private record Run(int exit, String output) {
    }

    private static Run java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command()
                .orElse("java")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void javaDashJarRunsEveryCommand() throws Exception {
        assertThat(Files.isRegularFile(JAR)).as(JAR.toAbsolutePath() + " (built by package)")
                .isTrue();

        Run help = java("-jar", JAR.toString(), "--help");
        Run version = java("-jar", JAR.toString(), "--version");
        Run explain = java("-jar", JAR.toString(), "explain", "--gh-repo", "o/r:read", "--agent",
                "a", "--env", "e", "--tool", "get_file", "--repo", "o/r", "--arg", "path=x",
                "--json");
        Run run = java("-jar", JAR.toString(), "run", "--help");
        Run bench = java("-jar", JAR.toString(), "bench", "--help");

        assertThat(help.exit()).as(help.output()).isZero();
        assertThat(help.output()).contains("run").contains("explain").contains("audit").contains(
                "bench").contains("version");
        assertThat(version.exit()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("tollgate 0.");
        assertThat(explain.exit()).as(explain.output()).isZero();
        assertThat(explain.output()).contains("\"outcome\":\"allowed\"");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("--kafka-port");
        assertThat(bench.exit()).as(bench.output()).isZero();
        assertThat(bench.output()).contains("--system");
    }

    @Test
    void auditVerifyRunsFromTheJar() throws Exception {
        Path store = dir.resolve("audit");
        EmbeddedAuditStore.open(store).close();

        Run verify = java("-jar", JAR.toString(), "audit", "verify", "--store", "embedded",
                "--dir", store.toString(), "--json");

        assertThat(verify.exit()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("\"format\":\"tollgate.audit.verify/1\"").contains(
                "\"ok\":true");
    }

    @Test
    void aChildJvmStartedFromTheJarFindsItsMainClass() throws Exception {
        // what bench's ChildJvm does when it runs from the jar
        Run child = java("-cp", JAR.toString(), "-Dloader.main=" + TollgateCli.class.getName(),
                "org.springframework.boot.loader.launch.PropertiesLauncher", "version");

        assertThat(child.exit()).as(child.output()).isZero();
        assertThat(child.output()).startsWith("tollgate 0.");
    }
}
