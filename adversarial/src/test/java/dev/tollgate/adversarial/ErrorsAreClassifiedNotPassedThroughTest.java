package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 6: errors are classified, not passed through; and promise 5's rule for writes. GitHub's
 * failures reach the agent as stable codes with a retryable flag and, where GitHub gave one, when
 * to retry, never as GitHub's error page; a read whose connection GitHub dropped is made again and
 * answered; a write whose connection dropped after it was sent is not repeated, and is answered
 * {@code outcome_unknown}, not retryable (the agent asking again would be a new request, and
 * GitHub would perform it twice). The
 * calls here are the {@code unlucky} agent's, so the failures GitHub gives it count against its
 * own circuit breaker only.
 */
@ExtendWith(Standalone.Extension.class)
class ErrorsAreClassifiedNotPassedThroughTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final Standalone tollgate;

    ErrorsAreClassifiedNotPassedThroughTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void githubsFailuresReachTheAgentAsStableCodesWithWhenToRetry() throws Exception {
        String unicorn = "/repos/acme/app/contents/docs/unicorn-" + UUID.randomUUID() + ".md";
        String secondary = "/repos/acme/app/contents/docs/secondary-" + UUID.randomUUID() + ".md";
        String primary = "/repos/acme/app/contents/docs/primary-" + UUID.randomUUID() + ".md";
        Instant reset = Instant.now().plusSeconds(3600);
        tollgate.github().script("GET", secondary, GitHubStandIn.secondaryLimit(403, 3600L));
        tollgate.github().script("GET", primary, GitHubStandIn.primaryLimit(403, reset));
        for (int attempt = 0; attempt < 4; attempt++) {
            tollgate.github().script("GET", unicorn, GitHubStandIn.serverError(502));
        }

        try (Standalone.Agent unlucky = tollgate.agent(tollgate.mint("unlucky"))) {
            Map<String, Object> missing = unlucky.settle("get_file", file("docs/none.md"),
                    SETTLE);
            Map<String, Object> secondaryLimited = unlucky.settle("get_file", file(secondary),
                    SETTLE);
            Map<String, Object> primaryLimited = unlucky.settle("get_file", file(primary),
                    SETTLE);
            Map<String, Object> serverError = unlucky.settle("get_file", file(unicorn), SETTLE);

            assertThat(missing).as("%s", missing).containsEntry("status", "failed")
                    .containsEntry("error_code", "not_found").containsEntry("retryable", false);
            assertThat(secondaryLimited).as("%s", secondaryLimited).containsEntry("status",
                    "failed").containsEntry("error_code", "secondary_rate_limited")
                    .containsEntry("retryable", true).containsKey("retry_at");
            assertThat(Instant.parse((String) secondaryLimited.get("retry_at"))).as(
                    "GitHub's retry-after of an hour").isAfter(Instant.now().plusSeconds(3000));
            assertThat(primaryLimited).as("%s", primaryLimited).containsEntry("status",
                    "failed").containsEntry("error_code", "rate_limited").containsEntry(
                            "retryable", true);
            assertThat(Instant.parse((String) primaryLimited.get("retry_at"))).as(
                    "x-ratelimit-reset, a second later for clocks").isEqualTo(
                            reset.plusSeconds(1)
                                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            assertThat(serverError).as("%s", serverError).containsEntry("status", "failed")
                    .containsEntry("error_code", "transient").containsEntry("retryable", true);
            assertThat(serverError.toString()).as("GitHub's error page is not passed through")
                    .doesNotContain("Unicorn").doesNotContain("<html");
        }
        assertThat(tollgate.github().requests("GET", unicorn)).as(
                "a server error on a read is retried, four attempts in all").hasSize(4);
        assertThat(tollgate.github().requests("GET", secondary)).as(
                "a limit an hour away is not waited for").hasSize(1);
        assertThat(tollgate.github().requests("GET", primary)).hasSize(1);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void aReadWhoseConnectionDroppedIsMadeAgainAndAnswered() throws Exception {
        String path = "src/Main.java";
        int before = tollgate.github().requests("GET", "/repos/acme/app/contents/" + path).size();
        tollgate.github().script("GET", "/repos/acme/app/contents/" + path, GitHubStandIn
                .dropConnection());

        try (Standalone.Agent unlucky = tollgate.agent(tollgate.mint("unlucky"))) {
            Map<String, Object> answer = unlucky.settle("get_file", file(path), SETTLE);

            assertThat(answer).as("%s", answer).containsEntry("status", "succeeded");
        }
        assertThat(tollgate.github().requests("GET", "/repos/acme/app/contents/" + path).size()
                - before).as("the dropped attempt and the one that was answered").isEqualTo(2);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void aWriteWhoseConnectionDroppedAfterSendingIsReportedNeverRepeated() throws Exception {
        String title = "dropped-" + UUID.randomUUID();
        tollgate.github().script("POST", "/repos/acme/app/issues", GitHubStandIn
                .dropConnection());

        Map<String, Object> answer;
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            answer = writer.settle("create_issue", Map.of("owner", "acme", "repo", "app",
                    "title", title), SETTLE);
        }

        assertThat(answer).as("%s", answer).containsEntry("status", "failed").containsEntry(
                "error_code", "outcome_unknown").containsEntry("retryable", false);
        assertThat((String) answer.get("message")).as(
                "it tells the agent to look before asking again, which would write twice")
                .contains("may have been done").contains("look");
        assertThat(tollgate.github().requests("POST", "/repos/acme/app/issues").stream().filter(
                request -> request.body().contains(title))).as(
                        "the write reached GitHub once, and was not sent again")
                .hasSize(1);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    private static Map<String, Object> file(String path) {
        String name = path.startsWith("/repos/acme/app/contents/")
                ? path.substring("/repos/acme/app/contents/".length())
                : path;
        return Map.of("owner", "acme", "repo", "app", "path", name);
    }
}
