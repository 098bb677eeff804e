package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.testsupport.NodeScripts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned in
 * {@code src/test/mcp-conformance}) against the standalone with its default limits, one scenario
 * after another as one agent. The suite cannot send an Authorization header, so a proxy on
 * loopback ({@code proxy.mjs}) adds the agent's gateway token and forwards everything else as
 * sent. The scenarios that apply to a gateway speaking the protocol versions Tollgate speaks
 * (2025-03-26 to 2025-11-25) run here; the rest are listed in the README with why they do not
 * apply (fixtures a test server implements, capabilities Tollgate does not declare, the draft
 * 2026-07-28 revision).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpConformanceTest {

    private static final String ADMIN_KEY = "conformance-admin-key-0123456789abcdef012345";

    /** The scenarios that apply to Tollgate. */
    static final List<String> APPLICABLE = List.of("server-initialize", "ping", "tools-list",
            "dns-rebinding-protection", "server-session-lifecycle");

    @TempDir
    static Path data;

    private GitHubStandIn github;
    private TollgateLauncher tollgate;
    private NodeScripts suite;
    private Process proxy;
    private String url;

    @BeforeAll
    void start() throws Exception {
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        Path key = TestApp.writeKeyFile(Files.createDirectories(data.resolve("keys")),
                "app-pkcs1.pem");
        Path policy = Files.writeString(data.resolve("policy.toml"),
                "[gh.repos]\n\"octo-org/hello-world\" = { read = true }\n");
        tollgate = GatewayClient.start(data.resolve("run"), policy, key, github, ADMIN_KEY);
        String token = GatewayClient.mint(tollgate.httpPort(), ADMIN_KEY, "conforming-client",
                "dev");
        Path module = Path.of("").toAbsolutePath();
        suite = NodeScripts.install(module.resolve("src/test/mcp-conformance"), module.resolve(
                "target/mcp-conformance"),
                List.of("proxy.mjs", "node20.mjs", "fs-hook.mjs",
                        "fs-shim.mjs"));
        ProcessBuilder builder = new ProcessBuilder("node", "proxy.mjs", "http://127.0.0.1:"
                + tollgate.httpPort()).directory(suite.work().toFile()).redirectError(
                        ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("TOLLGATE_CONFORMANCE_TOKEN", token);
        proxy = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(),
                StandardCharsets.UTF_8));
        String port = out.readLine();
        assertThat(port).as("the proxy's port (it printed nothing and exited %s)", proxy
                .isAlive() ? "not" : proxy.exitValue()).isNotNull().matches("\\d+");
        url = "http://127.0.0.1:" + port + "/mcp";
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
        GatewayClient.stop(tollgate, github);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("APPLICABLE")
    void theScenarioPasses(String scenario) throws IOException {
        Path results = Files.createDirectories(data.resolve("results").resolve(scenario));
        String output;
        try {
            output = suite.node(180, "--import", "./node20.mjs",
                    "node_modules/@modelcontextprotocol/conformance/dist/index.js", "server",
                    "--url", url, "--scenario", scenario, "-o", results.toString());
        } catch (IllegalStateException failed) {
            throw new AssertionError("conformance scenario " + scenario + " failed: " + failed
                    .getMessage(), failed);
        }

        // no rate limiting (a 429) on the way; a 429 inside a number (a temporary folder's
        // random name) is not one
        assertThat(output).as(output).contains(" 0 failed").doesNotContain("FAILURE")
                .doesNotContainPattern("(?<![\\w-])429(?![\\w-])");
    }
}
