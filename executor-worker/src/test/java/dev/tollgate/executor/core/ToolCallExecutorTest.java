package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ToolCallExecutorTest extends HarnessTest {

    @Test
    void aDecisionAskingForMoreThanTheActionNeedsIsRefused() {
        PolicyDecided decision = harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"a\"}");
        decision.setPermissions(Map.of("contents", "write"));

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void aPassthroughReadOfIssuesIsMadeWithAnIssuesTokenNotWithContents() {
        ToolCallCompleted completed = run(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/hello/issues\"}"));

        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).as("%s", mint).isEqualTo(Map.of("issues", "read",
                        "pull_requests", "read")));
    }

    @Test
    void theDecidedPermissionsAreNarrowedToWhatTheCallNeeds() {
        assertThat(ToolCallExecutor.narrowed(Map.of("contents", "read", "issues", "read"), Map.of(
                "issues", "read"))).isEqualTo(Map.of("issues", "read"));
        assertThat(ToolCallExecutor.narrowed(Map.of("contents", "write"), Map.of("contents",
                "read"))).isEqualTo(Map.of("contents", "read"));
        assertThat(ToolCallExecutor.narrowed(Map.of("contents", "read"), Map.of("contents",
                "write"))).as("never above the decision").isEqualTo(Map.of("contents", "read"));
        assertThat(ToolCallExecutor.narrowed(Map.of("contents", "read"), Map.of("issues",
                "read"))).as("nothing in common: the decision's, which GitHub will refuse")
                .isEqualTo(Map.of("contents", "read"));
    }

    @Test
    void aCallOnARepositoryTheDecisionDidNotNameIsRefused() {
        PolicyDecided decision = harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"world\",\"path\":\"a\"}");

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void aMissingPermissionComesBackAsForbiddenWithWhatGitHubAccepts() {
        PolicyDecided decision = harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}");
        decision.setPermissions(Map.of("issues", "read"));

        ToolCallCompleted completed = run(decision);

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getUpstreamStatus()).isEqualTo(403);
        assertThat(completed.getMessage()).contains("Resource not accessible by integration",
                "issues=write");
    }

    @Test
    void theInstallationIsDiscoveredWhenTheDecisionDoesNotNameIt() {
        PolicyDecided decision = harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}");
        decision.setInstallationId(null);

        assertThat(run(decision).getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("GET", "/repos/octo/hello/installation")).hasSize(1);
    }

    @Test
    void aTokenRefusedRightAfterUseIsRefreshedOnceAndTheCallRetriedOnce() {
        ToolCallExecutor executor = harness.executor();
        executor.execute(harness.decision("read_repo", "{\"owner\":\"octo\",\"repo\":\"hello\"}"));
        github.revokeAll();

        ToolCallCompleted completed = executor.execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.mintCount()).isEqualTo(2);
    }

    @Test
    void aTokenRefusedAgainAfterRefreshIsUnauthorized() {
        github.script("GET", "/repos/octo/hello", GitHubStandIn.json(401,
                "{\"message\":\"Bad credentials\"}"),
                GitHubStandIn.json(401,
                        "{\"message\":\"Bad credentials\"}"));

        ToolCallCompleted completed = run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("unauthorized");
        assertThat(github.mintCount()).isEqualTo(2);
        assertThat(github.requests("GET", "/repos/octo/hello")).hasSize(2);
    }

    @Test
    void manyCallsOnOneScopeMintOneToken() {
        ToolCallExecutor executor = harness.executor();
        hello.files.put("a", "x");

        for (int i = 0; i < 20; i++) {
            executor.execute(harness.decision("get_file",
                    "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"a\"}"));
        }

        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(harness.minted).hasSize(1);
    }

    @Test
    void notFoundValidationAndRateLimitsComeBackClassified() {
        ToolCallCompleted missing = run(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"nope.txt\"}"));
        ToolCallCompleted invalid = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}".replace("\"t\"",
                        "\"x\"")));
        github.script("GET", "/repos/octo/hello", GitHubStandIn.primaryLimit(403, harness.clock
                .instant().plusSeconds(7200)));
        ToolCallCompleted limited = run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(missing.getErrorCode()).isEqualTo("not_found");
        assertThat(missing.getRetryable()).isFalse();
        assertThat(invalid.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(limited.getErrorCode()).isEqualTo("rate_limited");
        assertThat(limited.getRetryable()).isTrue();
        assertThat(limited.getRetryAt()).isEqualTo(harness.clock.instant().plusSeconds(7201));
    }

    @Test
    void githubsValidationErrorsReachTheAgent() {
        github.script("POST", "/repos/octo/hello/pulls", GitHubStandIn.json(422,
                "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":\"PullRequest\","
                        + "\"code\":\"custom\",\"message\":\"No commits between main and agent-x\"}]}"));

        ToolCallCompleted completed = run(harness.decision("create_pr",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\",\"head\":\"agent-x\","
                        + "\"base\":\"main\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("validation_failed");
        assertThat(completed.getMessage()).contains("No commits between main and agent-x");
    }

    @Test
    void aWriteHitBy5xxIsAnsweredOutcomeUnknownNotRetryableAndNotRepeated() {
        github.script("POST", "/repos/octo/hello/issues", GitHubStandIn.serverError(502));

        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("outcome_unknown");
        assertThat(completed.getRetryable()).as("asking again would be a new request, written"
                + " twice").isFalse();
        assertThat(completed.getRetryAt()).isNull();
        assertThat(completed.getMessage()).contains("may have been done", "look", "502");
        assertThat(github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
    }

    @Test
    void aWriteAnswered503WithRetryAfterZeroIsSentOnceAndAnsweredOutcomeUnknown() {
        github.script("POST", "/repos/octo/hello/issues", new mockwebserver3.MockResponse.Builder()
                .code(503).addHeader("Retry-After", "0").addHeader("Content-Type",
                        "application/json")
                .body("{\"message\":\"Service Unavailable\"}").build());

        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(github.requests("POST", "/repos/octo/hello/issues")).as("OkHttp did not send"
                + " the write again after Retry-After: 0").hasSize(1);
        assertThat(github.repo("octo", "hello").plainIssues()).isEmpty();
        assertThat(completed.getErrorCode()).isEqualTo("outcome_unknown");
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getMessage()).contains("Service Unavailable", "may have been done");
    }

    @Test
    void aDecisionOlderThanTheMaxAgeIsRefusedOnTheInjectedClockAndAnsweredTheSameWhenRedelivered() {
        ToolCallExecutor executor = harness.executor(new InMemoryCompletionStore(10))
                .refusingDecisionsOlderThan(java.time.Duration.ofHours(6));
        PolicyDecided old = harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}");
        PolicyDecided atTheBound = harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}");
        harness.clock.advance(java.time.Duration.ofHours(6));

        ToolCallCompleted stillFresh = executor.execute(atTheBound);
        harness.clock.advance(java.time.Duration.ofSeconds(1));
        ToolCallCompleted refused = executor.execute(old);
        ToolCallCompleted again = executor.execute(old);

        assertThat(stillFresh.getStatus()).as(stillFresh.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(refused.getErrorCode()).isEqualTo("decision_expired");
        assertThat(refused.getRetryable()).isFalse();
        assertThat(refused.getMessage()).contains("PT6H1S ago", "max-decision-age, PT6H",
                "nothing was done");
        assertThat(again).as("recorded: the same answer").isEqualTo(refused);
        assertThat(github.requests("POST", "/repos/octo/hello/issues")).isEmpty();
        assertThat(github.mints()).as("only the fresh read's").singleElement();
    }

    @Test
    void aMaxDecisionAgeOfZeroOrLessIsRefused() {
        for (java.time.Duration bad : new java.time.Duration[]{java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(-1), null}) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(
                    () -> harness.executor().refusingDecisionsOlderThan(bad)).withMessageContaining(
                            "more than 0");
        }
    }

    @Test
    void aWriteWhoseConnectionDropsAfterSendingIsAnsweredOutcomeUnknown() {
        github.script("POST", "/repos/octo/hello/issues", GitHubStandIn.dropConnection());

        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("outcome_unknown");
        assertThat(completed.getRetryable()).isFalse();
        assertThat(github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
    }

    @Test
    void aWriteThatNeverReachedGitHubStaysTransientAndRetryable() {
        ToolCallExecutor executor = new ToolCallExecutor(harness.installations, harness.tokens,
                new ForwardingTransport(harness.transport) {
                    @Override
                    public GitHubResponse send(GitHubRequest request) throws IOException {
                        if (request.isWrite() && request.path().startsWith("/repos/")) {
                            throw new java.net.ConnectException("Connection refused");
                        }
                        return super.send(request);
                    }
                }, new InMemoryCompletionStore(10), harness.clock);

        ToolCallCompleted completed = executor.execute(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(completed.getErrorCode()).as(completed.getMessage()).isEqualTo("transient");
        assertThat(completed.getRetryable()).as("nothing was sent: asking again is safe")
                .isTrue();
    }

    @Test
    void aReadFailingAfterAReadStaysTransient() {
        github.script("GET", "/repos/octo/hello", GitHubStandIn.serverError(502),
                GitHubStandIn.serverError(502), GitHubStandIn.serverError(502), GitHubStandIn
                        .serverError(502));

        ToolCallCompleted completed = run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getErrorCode()).isEqualTo("transient");
        assertThat(completed.getRetryable()).isTrue();
    }

    @Test
    void anUnexpectedFailureAfterAWriteWasSentIsAnsweredOutcomeUnknown() {
        ToolCallExecutor executor = new ToolCallExecutor(harness.installations, harness.tokens,
                new ForwardingTransport(harness.transport) {
                    @Override
                    public GitHubResponse send(GitHubRequest request) throws IOException {
                        GitHubResponse response = super.send(request);
                        if (request.isWrite() && request.path().startsWith("/repos/")) {
                            throw new IllegalStateException("a bug after the write");
                        }
                        return response;
                    }
                }, new InMemoryCompletionStore(10), harness.clock);

        ToolCallCompleted completed = executor.execute(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(github.repo("octo", "hello").plainIssues()).as("the write was done")
                .hasSize(1);
        assertThat(completed.getErrorCode()).isEqualTo("outcome_unknown");
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getMessage()).contains("IllegalStateException").doesNotContain(
                "a bug");
    }

    @Test
    void anUnexpectedFailureIsAnsweredAsTransientInsteadOfRedeliveredForever() {
        ToolCallExecutor executor = new ToolCallExecutor(harness.installations, harness.tokens,
                GitHubTransport.sendOnly(request -> {
                    throw new IllegalStateException("a bug");
                }), new InMemoryCompletionStore(10), harness.clock);

        ToolCallCompleted completed = executor.execute(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(completed.getErrorCode()).isEqualTo("transient");
        assertThat(completed.getMessage()).contains("IllegalStateException").doesNotContain(
                "a bug");
    }

    @Test
    void noDownloadTokenOfAPrivateRepositoryReachesTheAgentTheTopicOrTheAuditStore() {
        github.script("GET", "/repos/octo/hello/contents", GitHubStandIn.json(200,
                AnswerSanitizerTest.fixture("contents-listing-private.json")));
        github.script("GET", "/repos/octo/hello/attestations", GitHubStandIn.json(404,
                "{\"message\":\"Not Found: https://codeload.github.com/octo/hello/legacy.zip/"
                        + "main?token=ERRORTOKEN\"}"));
        ToolCallExecutor executor = harness.executor();

        ToolCallCompleted listing = executor.execute(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/hello/contents\"}"));
        ToolCallCompleted failed = executor.execute(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/hello/attestations/abc\"}"));

        // the one event is what the agent reads, what the results topic keeps and what is audited
        assertThat(listing.getStatus()).as(listing.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(listing.getResultJson()).contains("README.md?token=\"").doesNotContain(
                "GHSAT0").doesNotContainPattern(AnswerSanitizerTest.CREDENTIAL_WITH_VALUE);
        assertThat(failed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(failed.getMessage()).contains("legacy.zip/main?token=").doesNotContain(
                "ERRORTOKEN");
    }

    @Test
    void aFailureCarryingMoreThanAnAnswerMayIsCutToFitAndKeepsItsCode() {
        tools.jackson.databind.node.ObjectNode invalid = JSON.createObjectNode().put("message",
                "Validation Failed");
        tools.jackson.databind.node.ArrayNode errors = invalid.putArray("errors");
        for (int i = 0; i < 1500; i++) {
            errors.addObject().put("resource", "Issue").put("field", "labels").put("code",
                    "invalid").put("message", "label " + i + " " + "is not allowed ".repeat(9));
        }
        github.script("POST", "/repos/octo/hello/issues", GitHubStandIn.json(422, invalid));

        ToolCallCompleted completed = harness.executor().limitedBy(new AnswerLimit(200_000), null)
                .execute(harness.decision("create_issue",
                        "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(completed.getErrorCode()).isEqualTo("validation_failed");
        assertThat(completed.getMessage()).startsWith("validation_failed: Validation Failed")
                .contains("answer cut: it was").hasSizeLessThan(5000);
        assertThat(completed.getErrorDetailsJson()).isNull();
        assertThat(AnswerLimit.sizeOf(completed)).isLessThanOrEqualTo(200_000);
    }

    @Test
    void aWriteWhoseResultIsTooLargeIsAnsweredDoneWithANoteAndNeverRepeated() {
        github.script("POST", "/repos/octo/hello/issues", GitHubStandIn.json(201, JSON
                .createObjectNode().put("number", 7).put("title", "x".repeat(300_000)).put(
                        "html_url", "https://github.com/octo/hello/issues/7")));
        ToolCallExecutor executor = harness.executor().limitedBy(new AnswerLimit(200_000), null);
        PolicyDecided decision = harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}");

        ToolCallCompleted completed = executor.execute(decision);
        ToolCallCompleted again = executor.execute(decision);

        assertThat(completed.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(completed.getResultJson()).isEqualTo("{\"answer_omitted\":true}");
        assertThat(completed.getMessage()).contains("create_issue succeeded", "only this note");
        assertThat(again).isEqualTo(completed);
        assertThat(github.requests("POST", "/repos/octo/hello/issues")).hasSize(1);
    }
}
