package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 7: workers scale on their own, and the routing that makes it work cannot be turned
 * against an agent. Agents calling at once each get their own answer, never another's; an agent
 * that learns another's request ID gets the same "unknown" as for an ID that never existed; a
 * burst of first calls on a scope no one has used mints one installation token, not one per call.
 */
@ExtendWith(Standalone.Extension.class)
class WorkersScaleOnTheirOwnTest {

    private static final List<String> AGENTS = List.of("reader", "canary", "writer");
    private static final int CALLS_PER_AGENT = 8;

    private final Standalone tollgate;

    WorkersScaleOnTheirOwnTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void agentsCallingAtOnceEachGetTheirOwnAnswerAndANewScopeIsMintedOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        GitHubStandIn.Repo app = tollgate.github().repo("acme", "app");
        for (String agent : AGENTS) {
            for (int i = 0; i < CALLS_PER_AGENT; i++) {
                app.files.put(path(run, agent, i), "for " + agent + " #" + i + " of " + run);
            }
        }
        long checksMintsBefore = checksMints();

        List<Callable<String>> calls = new ArrayList<>();
        List<Standalone.Agent> sessions = new ArrayList<>();
        try {
            for (String agent : AGENTS) {
                String token = tollgate.mint(agent);
                for (int i = 0; i < CALLS_PER_AGENT; i++) {
                    Standalone.Agent session = tollgate.agent(token);
                    sessions.add(session);
                    String path = path(run, agent, i);
                    calls.add(() -> content(session.call("get_file", Map.of("owner", "acme",
                            "repo", "app", "path", path))));
                    // the first calls ever of the checks scope, from every session at once
                    calls.add(() -> (String) session.call("list_check_runs", Map.of("owner",
                            "acme", "repo", "app", "ref", "0123456789abcdef0123456789abcdef"
                                    + "01234567"))
                            .get("status"));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(calls.size());
            List<String> answers = new ArrayList<>();
            try {
                for (Future<String> future : pool.invokeAll(calls)) {
                    answers.add(future.get());
                }
            } finally {
                pool.shutdownNow();
            }

            int call = 0;
            for (String agent : AGENTS) {
                for (int i = 0; i < CALLS_PER_AGENT; i++) {
                    assertThat(answers.get(call++)).as("%s's read #%d", agent, i).isEqualTo(
                            "for " + agent + " #" + i + " of " + run);
                    assertThat(answers.get(call++)).as("%s's check runs #%d", agent, i)
                            .isEqualTo("succeeded");
                }
            }
        } finally {
            sessions.forEach(Standalone.Agent::close);
        }
        assertThat(checksMints() - checksMintsBefore).as(
                "installation tokens minted for the checks scope by %d concurrent first calls",
                AGENTS.size() * CALLS_PER_AGENT).isLessThanOrEqualTo(1);
        assertThat(checksMints()).as("checks tokens minted over the whole run").isEqualTo(1);
    }

    @Test
    void anotherAgentsRequestIdTellsNothing() {
        String requestId;
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            Map<String, Object> answer = writer.call("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", "README.md"));
            assertThat(answer).as("%s", answer).containsEntry("status", "succeeded");
            requestId = (String) answer.get("request_id");
        }
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            Map<String, Object> theirs = reader.call("get_request_status", Map.of("request_id",
                    requestId));
            String madeUp = UUID.randomUUID().toString();
            Map<String, Object> none = reader.call("get_request_status", Map.of("request_id",
                    madeUp));

            assertThat(theirs).as("another agent's request, asked for by ID").containsEntry(
                    "status", "unknown").doesNotContainKey("content");
            assertThat(theirs.toString()).doesNotContain("hello");
            assertThat(theirs).as("the same answer as for an ID that never existed")
                    .isEqualTo(Map.of("request_id", requestId, "status", "unknown", "message",
                            none.get("message")));
        }
        tollgate.assertTheCanaryIsStillAnswered();
    }

    private static String path(String run, String agent, int i) {
        return "fleet-" + run + "/" + agent + "-" + i + ".md";
    }

    @SuppressWarnings("unchecked")
    private static String content(Map<String, Object> answer) {
        assertThat(answer).as("%s", answer).containsEntry("status", "succeeded");
        Object result = answer.get("result");
        return (String) ((Map<String, Object>) result).get("content");
    }

    private long checksMints() {
        return tollgate.github().mints().stream().filter(mint -> mint.permissions().containsKey(
                "checks")).count();
    }
}
