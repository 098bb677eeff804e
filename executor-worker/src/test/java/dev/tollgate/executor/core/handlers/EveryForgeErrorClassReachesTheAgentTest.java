package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.ForgejoStandIn;
import dev.tollgate.executor.GitLabStandIn;
import dev.tollgate.executor.JiraStandIn;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each error class of each forge besides GitHub, answered by its stand-in in the forge's own
 * shape (Forgejo's and GitLab's {@code message}, JIRA's {@code errorMessages} and
 * {@code errors}), reaches the agent as the same stable code GitHub's would, with the right
 * retryable flag, naming the forge's host and never passing its page through: read failures,
 * a write whose answer was lost ({@code outcome_unknown}, not repeated), an answer too large, and
 * an open circuit ({@code upstream_unavailable}, nothing sent).
 */
class EveryForgeErrorClassReachesTheAgentTest {

    /** One attempt: each scripted answer is the final one. */
    private final ExecutorHarness harness = new ExecutorHarness(new RetryPolicy(1, Duration
            .ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1), () -> 1.0));
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : started) {
            closeable.close();
        }
        harness.close();
    }

    /** Scripts a forge stand-in's next {@code times} answers to {@code method} on a prefix. */
    private interface Script {
        void failNext(String method, String prefix, int times, int status,
                Map<String, String> headers, String body);
    }

    /**
     * A forge, started with one repository or project, and its calls.
     *
     * @param read a read ({@code tool json}) and {@code readPath} the requests it makes
     * @param write a write and {@code writePath} the POST that performs it
     * @param name how its messages name it
     * @param largeRead a read whose answer is larger than one answer may be
     */
    private record Site(ToolCallExecutor executor, String repository, String read,
            String readPath, String write, String writePath, String name, Script script,
            String largeRead) {
    }

    private static final String LARGE = "a line of a file too large for one answer ....\n"
            .repeat(50_000);

    private ToolCallExecutor acting(Forge forge, String host, java.net.URI apiUrl,
            GitHubRequest.Credential credential) {
        return harness.executor(new InMemoryCompletionStore(100)).actingOn(harness.forgeHost(
                forge, host, apiUrl, credential));
    }

    private Site forgejo() {
        String host = "codeberg.test";
        ForgejoStandIn forgejo = ForgejoStandIn.start(harness.clock);
        started.add(forgejo::close);
        forgejo.token("forgejo-token", "write:repository", "write:issue");
        forgejo.repo("user", "project").file("main", "README.md", "# Project\n").file("main",
                "big.txt", LARGE);
        String args = "{\"host\":\"" + host + "\",\"owner\":\"user\",\"repo\":\"project\",";
        return new Site(
                acting(Forge.FORGEJO, host, forgejo.apiUrl(),
                        GitHubRequest.Credential.HostToken.forgejo(host, "forgejo-token")),
                "user/project", "forgejo_get_file "
                        + args + "\"path\":\"README.md\"}",
                "/api/v1/repos/user/project/contents",
                "forgejo_push_files " + args + PUSH, "/api/v1/repos/user/project/contents", host,
                forgejo::failNext, "forgejo_get_file " + args + "\"path\":\"big.txt\"}");
    }

    private Site gitlab() {
        String host = "gitlab.test";
        GitLabStandIn gitlab = GitLabStandIn.start(harness.clock);
        started.add(gitlab::close);
        gitlab.token("glpat-token", "api");
        gitlab.project("group/sub/project").file("main", "src/app.py", "print(1)\n").file("main",
                "big.txt", LARGE);
        String args = "{\"host\":\"" + host + "\",\"project\":\"group/sub/project\",";
        String project = "/api/v4/projects/group%2Fsub%2Fproject/repository";
        return new Site(
                acting(Forge.GITLAB, host, gitlab.apiUrl(),
                        GitHubRequest.Credential.HostToken.gitlab(host, "glpat-token")),
                "group/sub/project", "gitlab_get_file "
                        + args + "\"path\":\"src/app.py\"}",
                project + "/files",
                "gitlab_push_files " + args + PUSH, project + "/commits", host, gitlab::failNext,
                "gitlab_get_file " + args + "\"path\":\"big.txt\"}");
    }

    private Site jira() {
        JiraStandIn jira = JiraStandIn.cloud(harness.clock);
        started.add(jira::close);
        jira.credentials("bot@example.com", "atl-token");
        jira.project("PROJ", "Project");
        String key = jira.issue("PROJ", "Login fails", "stack trace");
        String large = jira.issue("PROJ", "Huge log", LARGE);
        return new Site(
                acting(Forge.JIRA, Target.JIRA, jira.apiUrl(),
                        GitHubRequest.Credential.JiraToken.basic("bot@example.com", "atl-token",
                                true)),
                "PROJ",
                "jira_get_issue {\"issue_key\":\"" + key + "\"}", "/rest/api/2/issue/" + key,
                "jira_add_comment {\"issue_key\":\"" + key + "\",\"body\":\"Seen it\"}",
                "/rest/api/2/issue/" + key + "/comment", "JIRA", jira::failNext,
                "jira_get_issue {\"issue_key\":\"" + large + "\"}");
    }

    /** A push's arguments after the repository's. */
    private static final String PUSH = "\"branch\":\"agent-x\",\"message\":\"m\",\"files\":"
            + "[{\"path\":\"a.txt\",\"content\":\"A\"}]}";

    private Site site(String forge) {
        return switch (forge) {
            case "forgejo" -> forgejo();
            case "gitlab" -> gitlab();
            default -> jira();
        };
    }

    private ToolCallCompleted run(Site site, ToolCallExecutor executor, String call) {
        String[] split = call.split(" ", 2);
        PolicyDecided decision = harness.decisionFor(UUID.randomUUID().toString(), split[0],
                split[1]);
        decision.setRepositories(new ArrayList<>(List.of(site.repository())));
        decision.setInstallationId(null);
        decision.setPermissions(Map.of());
        return executor.execute(decision);
    }

    /** The forge's own error body for {@code message}. */
    private static String body(String forge, String message) {
        return forge.equals("jira")
                ? "{\"errorMessages\":[\"" + message + "\"],\"errors\":{}}"
                : "{\"message\":\"" + message + "\"}";
    }

    static Stream<Arguments> readFailures() {
        List<Arguments> cases = new ArrayList<>();
        for (String forge : List.of("forgejo", "gitlab", "jira")) {
            cases.add(Arguments.of(forge, 401, Map.of(), "unauthorized", false));
            cases.add(Arguments.of(forge, 403, Map.of(), "forbidden", false));
            cases.add(Arguments.of(forge, 404, Map.of(), "not_found", false));
            cases.add(Arguments.of(forge, 400, Map.of(), "validation_failed", false));
            cases.add(Arguments.of(forge, 422, Map.of(), "validation_failed", false));
            cases.add(Arguments.of(forge, 409, Map.of(), "conflict", false));
            cases.add(Arguments.of(forge, 429, Map.of("Retry-After", "120"), "rate_limited",
                    true));
            cases.add(Arguments.of(forge, 502, Map.of(), "transient", true));
            cases.add(Arguments.of(forge, 503, Map.of("Retry-After", "5"), "transient", true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} answers {1}: {3}")
    @MethodSource("readFailures")
    void aReadFailureComesBackClassified(String forge, int status, Map<String, String> headers,
            String code, boolean retryable) {
        Site site = site(forge);
        site.script().failNext("GET", site.readPath(), 2, status, headers, status >= 500
                ? "<html><body>Bad gateway " + "secret-upstream-page" + "</body></html>"
                : body(forge, "upstream says " + status));

        ToolCallCompleted failed = run(site, site.executor(), site.read());

        assertThat(failed.getStatus()).as(failed.getMessage()).isEqualTo(CallStatus.FAILED);
        assertThat(failed.getErrorCode()).as(failed.getMessage()).isEqualTo(code);
        assertThat(failed.getRetryable()).isEqualTo(retryable);
        assertThat(failed.getMessage()).startsWith(code + ": ").doesNotContain(
                "secret-upstream-page").doesNotContain("<html").doesNotContain("GitHub");
        if (status < 500) {
            assertThat(failed.getMessage()).as("the forge's own words, read from its shape")
                    .contains("upstream says " + status);
        }
        if (status == 429) {
            assertThat(failed.getRetryAt()).as("Retry-After").isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forges")
    void aWriteWhoseAnswerWasLostIsOutcomeUnknownAndNotRepeated(String forge) {
        Site site = site(forge);
        site.script().failNext("POST", site.writePath(), 3, 502, Map.of(), "<html>502</html>");

        ToolCallCompleted lost = run(site, site.executor(), site.write());

        assertThat(lost.getErrorCode()).as(lost.getMessage()).isEqualTo("outcome_unknown");
        assertThat(lost.getRetryable()).isFalse();
        assertThat(lost.getMessage()).doesNotContain("GitHub");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forges")
    void anAnswerTooLargeForOneAnswerIsResultTooLarge(String forge) {
        Site site = site(forge);

        ToolCallCompleted large = run(site, site.executor(), site.largeRead());

        assertThat(large.getErrorCode()).as(large.getMessage()).isEqualTo("result_too_large");
        assertThat(large.getRetryable()).isFalse();
        assertThat(large.getMessage()).doesNotContain("GitHub");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forges")
    void anOpenCircuitIsUpstreamUnavailableAndNothingIsSent(String forge) {
        Site site = site(forge);
        ToolCallExecutor executor = site.executor();
        harness.forgeBreaker.transitionToOpenState();
        site.script().failNext("GET", site.readPath(), 1, 418, Map.of(),
                body(forge, "sent anyway"));

        ToolCallCompleted refused = run(site, executor, site.read());

        assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo(
                "upstream_unavailable");
        assertThat(refused.getRetryable()).isTrue();
        assertThat(refused.getRetryAt()).isNotNull();
        assertThat(refused.getMessage()).doesNotContain("sent anyway").doesNotContain("GitHub");
    }

    static Stream<String> forges() {
        return Stream.of("forgejo", "gitlab", "jira");
    }

    @Test
    void theMessagesNameTheForgeNotGitHub() {
        for (String forge : List.of("forgejo", "gitlab", "jira")) {
            Site site = site(forge);
            site.script().failNext("GET", site.readPath(), 2, 502, Map.of(), "");
            ToolCallCompleted failed = run(site, site.executor(), site.read());
            assertThat(failed.getMessage()).as(forge).contains(site.name());
        }
    }
}
