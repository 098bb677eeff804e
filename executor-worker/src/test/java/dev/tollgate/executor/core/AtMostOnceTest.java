package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.DyingCompletionStore;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A write happens at most once per request ID: a redelivery after completion re-publishes the
 * recorded answer; a redelivery after a crash between GitHub's success and the record finds the
 * hidden marker (or external ID, or commit trailer) and does not write again.
 */
class AtMostOnceTest {

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitHubStandIn github = harness.github;
    private final GitHubStandIn.Repo hello = github.repo("octo", "hello");

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aRedeliveredRequestRepublishesTheEarlierAnswerWithoutCallingGitHub() {
        ToolCallExecutor executor = harness.executor();
        PolicyDecided decision = harness.decisionFor("req-1", "create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"once\"}");
        ToolCallCompleted first = executor.execute(decision);
        int callsAfterFirst = github.requests().size();

        ToolCallCompleted again = executor.execute(decision);

        assertThat(again).isEqualTo(first);
        assertThat(again.getMeta().getEventId()).isEqualTo(first.getMeta().getEventId());
        assertThat(github.requests()).hasSize(callsAfterFirst);
        assertThat(hello.plainIssues()).hasSize(1);
    }

    @Test
    void aRecordedFailureIsRepublishedToo() {
        ToolCallExecutor executor = harness.executor();
        PolicyDecided decision = harness.decisionFor("req-404", "get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"nope\"}");

        ToolCallCompleted first = executor.execute(decision);
        ToolCallCompleted again = executor.execute(decision);

        assertThat(first.getErrorCode()).isEqualTo("not_found");
        assertThat(again).isEqualTo(first);
    }

    static Stream<Arguments> writes() {
        Function<GitHubStandIn.Repo, Integer> issues = repo -> repo.plainIssues().size();
        Function<GitHubStandIn.Repo, Integer> pulls = repo -> repo.pulls().size();
        Function<GitHubStandIn.Repo, Integer> comments = repo -> repo.comments.getOrDefault(1L,
                java.util.List.of()).size();
        Function<GitHubStandIn.Repo, Integer> reviews = repo -> repo.reviews.getOrDefault(1L,
                java.util.List.of()).size();
        Function<GitHubStandIn.Repo, Integer> checkRuns = repo -> repo.checkRuns.size();
        Function<GitHubStandIn.Repo, Integer> commits = repo -> repo.commits.size();
        Function<GitHubStandIn.Repo, Integer> branches = repo -> repo.refs.size();
        return Stream.of(Arguments.of("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\",\"body\":\"b\"}", issues),
                Arguments.of("create_pr", "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\","
                        + "\"head\":\"agent-a\",\"base\":\"main\"}", pulls),
                Arguments.of("create_pull_request_comment",
                        "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"hi\"}",
                        comments),
                Arguments.of("create_pending_review",
                        "{\"owner\":\"octo\",\"repo\":\"hello\",\"pull_number\":1,\"body\":\"r\"}",
                        reviews),
                Arguments.of("create_check_run", "{\"owner\":\"octo\",\"repo\":\"hello\","
                        + "\"name\":\"bot\",\"head_sha\":\"0123456789abcdef0123456789abcdef01234567\","
                        + "\"conclusion\":\"success\"}", checkRuns),
                Arguments.of("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":"
                        + "\"agent-w\",\"message\":\"m\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}",
                        commits),
                Arguments.of("create_branch",
                        "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-b\"}",
                        branches));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void aWriteRedeliveredAfterACrashBeforeTheRecordIsNotDoneAgain(String tool, String arguments,
            Function<GitHubStandIn.Repo, Integer> count) {
        harness.executor().execute(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"pr\",\"head\":\"agent-z\","
                        + "\"base\":\"main\"}"));
        PolicyDecided decision = harness.decisionFor("req-crash-" + tool, tool, arguments);
        int before = count.apply(hello);
        ToolCallExecutor crashing = harness.executor(DyingCompletionStore.killedBeforeTheRecord(
                new InMemoryCompletionStore(10)));
        assertThatThrownBy(() -> crashing.execute(decision)).hasMessageContaining("killed");
        int afterFirst = count.apply(hello);

        ToolCallCompleted redelivered = harness.executor().execute(decision);

        assertThat(afterFirst).isEqualTo(before + 1);
        assertThat(count.apply(hello)).isEqualTo(afterFirst);
        assertThat(redelivered.getStatus()).as(redelivered.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(JsonMapper.builder().build().readTree(redelivered.getResultJson()).path(
                "deduplicated").asBoolean()).isTrue();
    }

    @Test
    void theMarkerIsInvisibleMarkdownCarryingTheRequestId() {
        assertThat(Markers.withMarker("text", "req-9")).isEqualTo(
                "text\n\n<!-- tollgate-request-id: req-9 -->");
        assertThat(Markers.carries("x <!-- tollgate-request-id: req-9 -->", "req-9")).isTrue();
        assertThat(Markers.carries("x <!-- tollgate-request-id: req-99 -->", "req-9")).isFalse();
        assertThat(Markers.carries("m\n\nTollgate-Request-Id: req-9", "req-9")).isTrue();
        assertThat(Markers.carries("m\n\nTollgate-Request-Id: req-99", "req-9")).isFalse();
        assertThatThrownBy(() -> Markers.html("id --> <script>")).isInstanceOf(
                IllegalArgumentException.class);
    }
}
