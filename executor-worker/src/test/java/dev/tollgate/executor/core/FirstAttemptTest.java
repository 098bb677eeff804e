package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.DyingCompletionStore;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.postgres.CompletionsDatabase;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * With a durable completion store (PostgreSQL), a write's first delivery costs one GitHub call
 * fewer: its attempt is recorded before it is sent, so it writes without first searching GitHub
 * for its marker; a delivery after a crash between the write and the record finds the attempt
 * recorded, searches, and does not write again. With the in-memory store, every delivery
 * searches (it forgets attempts across a crash).
 */
class FirstAttemptTest {

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitHubStandIn github = harness.github;
    private final GitHubStandIn.Repo hello = github.repo("octo", "hello");
    private final PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
    private final String url = database.freshSchemaUrl("attempts");

    @AfterEach
    void stop() throws Exception {
        harness.close();
        for (JdbcCompletionStore store : opened) {
            store.close();
        }
    }

    private final List<JdbcCompletionStore> opened = new ArrayList<>();

    private JdbcCompletionStore durable() {
        JdbcCompletionStore store = CompletionsDatabase.open(url, database.user(), database
                .password(), 2, harness.clock);
        opened.add(store);
        return store;
    }

    private int githubCalls() {
        return (int) github.requests().stream().filter(request -> !request.path().startsWith(
                "/app/")).count();
    }

    private int callsFor(String requestId, String tool, String arguments,
            CompletionStore store) {
        int before = githubCalls();
        ToolCallCompleted completed = harness.executor(store).execute(harness.decisionFor(
                requestId, tool, arguments));
        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return githubCalls() - before;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tollgate.executor.core.AtMostOnceTest#writes")
    void aFirstDeliveryWritesWithoutSearchingAndARedeliveryAfterACrashSearches(String tool,
            String arguments, Function<GitHubStandIn.Repo, Integer> count) {
        harness.executor().execute(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"pr\",\"head\":\"agent-z\","
                        + "\"base\":\"main\"}"));
        JdbcCompletionStore store = durable();
        boolean searches = !List.of("push_files", "create_branch").contains(tool);
        String variant = arguments.replace("agent-w", "agent-w2").replace("agent-b",
                "agent-b2");

        int searched = callsFor("first-in-memory-" + tool, tool, arguments,
                new InMemoryCompletionStore(10));
        int first = callsFor("first-durable-" + tool, tool, variant, store);

        assertThat(first).as("GitHub calls of a first delivery with a durable store, against %s"
                + " with the in-memory store", searched).isEqualTo(searches
                        ? searched - 1
                        : searched);

        PolicyDecided crashed = harness.decisionFor("crash-" + tool, tool, arguments.replace(
                "agent-w", "agent-w3").replace("agent-b", "agent-b3"));
        int before = count.apply(hello);
        assertThatThrownBy(() -> harness.executor(DyingCompletionStore.killedBeforeTheRecord(store))
                .execute(crashed))
                .hasMessageContaining("killed");
        ToolCallCompleted redelivered = harness.executor(store).execute(crashed);

        assertThat(count.apply(hello)).as("written once, not again on redelivery").isEqualTo(
                before + 1);
        assertThat(redelivered.getStatus()).as(redelivered.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(JsonMapper.builder().build().readTree(redelivered.getResultJson()).path(
                "deduplicated").asBoolean()).isTrue();
    }
}
