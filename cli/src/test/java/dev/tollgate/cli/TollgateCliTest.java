package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one command line: every command under {@code tollgate}, help exiting 0, a version. */
class TollgateCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int tollgate(String... args) {
        return TollgateCli.commandLine(Map.of(), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Clock.systemUTC()).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommandAndExitsZero() {
        int code = tollgate("--help");

        assertThat(code).isZero();
        assertThat(out()).contains("Usage: tollgate").containsPattern("\\n  run ").containsPattern(
                "\\n  explain ").containsPattern("\\n  audit ").containsPattern("\\n  bench ")
                .containsPattern("\\n  version ");
        assertThat(err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "explain", "audit", "bench", "version"})
    void everyCommandHasHelpThatExitsZero(String command) {
        int code = tollgate(command, "--help");

        assertThat(code).as(err()).isZero();
        assertThat(out()).contains("tollgate " + command);
        assertThat(err()).isEmpty();
    }

    @Test
    void auditSubcommandsAndTheHelpCommandHaveHelpToo() {
        assertThat(tollgate("audit", "verify", "--help")).isZero();
        assertThat(out()).contains("tollgate audit verify").contains("--json");
        out.reset();

        assertThat(tollgate("help", "explain")).isZero();
        assertThat(out()).contains("tollgate explain --policy FILE");
    }

    @Test
    void versionAndDashDashVersionSayTheBuildsVersionAndTheJvm() {
        assertThat(tollgate("--version")).isZero();
        String flag = out();
        out.reset();
        assertThat(tollgate("version")).isZero();

        assertThat(out()).isEqualTo(flag).startsWith("tollgate 0.").contains("Java " + Runtime
                .version());
        assertThat(flag).doesNotContain("${project.version}").doesNotContain("unknown");
    }

    @Test
    void anUnknownCommandOrNoneIsAUsageErrorNamingTheCommands() {
        assertThat(tollgate("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("tollgate: unknown command 'frobnicate': use run, explain,"
                + " audit, bench, version");
        err.reset();

        assertThat(tollgate()).isEqualTo(2);
        assertThat(err()).contains("name a command");
        assertThat(out()).isEmpty();
    }

    @Test
    void explainRunsUnderTollgateWithItsOwnExitCodes() {
        int allowed = tollgate("explain", "--gh-repo=o/r:read", "--agent", "a", "--env", "e",
                "--tool", "get_file", "--repo=o/r", "--arg", "path=x", "--json");
        int denied = tollgate("explain", "--gh-repo", "o/r:read", "--agent", "a", "--env", "e",
                "--tool", "create_issue", "--repo", "o/r", "--arg", "title=x");
        int bad = tollgate("explain", "--agent", "a");

        assertThat(allowed).isZero();
        assertThat(out()).contains("\"format\":\"tollgate.explain/1\"").contains(
                "\"outcome\":\"allowed\"");
        assertThat(denied).isEqualTo(1);
        assertThat(bad).isEqualTo(2);
        assertThat(err()).contains("tollgate explain: name the policy");
    }
}
