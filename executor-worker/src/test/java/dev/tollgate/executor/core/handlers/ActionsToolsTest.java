package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.HarnessTest;
import dev.tollgate.executor.core.AnswerLimit;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CI results against the stand-in, in GitHub's documented answer shapes: the combined status
 * ({@code GET /commits/{ref}/status}), workflow runs, a run's jobs, and a job's log behind the
 * redirect to a signed URL GitHub answers the logs endpoint with.
 */
class ActionsToolsTest extends HarnessTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static ObjectNode status(String context, String state) {
        return JSON.createObjectNode().put("sha", SHA).put("context", context).put("state",
                state).put("description", context + " is " + state).put("target_url",
                        "https://ci.example.com/build/1")
                .put("updated_at", "2026-12-01T10:00:00Z").put("id", 1).put("node_id", "S_1")
                .put("url", "https://api.github.com/repos/octo/hello/statuses/" + SHA);
    }

    private static ObjectNode run(long id, String branch, String conclusion) {
        return JSON.createObjectNode().put("id", id).put("name", "CI").put("display_title",
                "Fix the build").put("head_branch", branch).put("head_sha", SHA).put("event",
                        "push")
                .put("status", "completed").put("conclusion", conclusion).put("run_number", id)
                .put("run_attempt", 1).put("html_url",
                        "https://github.com/octo/hello/actions/runs/" + id)
                .put("created_at", "2026-12-01T10:00:00Z").put("updated_at",
                        "2026-12-01T10:05:00Z")
                .put("jobs_url", "https://api.github.com/repos/octo/hello/actions/runs/" + id
                        + "/jobs")
                .put("logs_url", "https://api.github.com/repos/octo/hello/actions/runs/" + id
                        + "/logs");
    }

    @Test
    void listCommitStatusesGivesTheCombinedStateAndEachContextWithStatusesReadOnly() {
        hello.statuses.add(status("ci/build", "success"));
        hello.statuses.add(status("ci/lint", "failure"));

        JsonNode statuses = result(run(harness.decision("list_commit_statuses",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"ref\":\"" + SHA + "\"}")));

        assertThat(statuses.path("state").asString()).isEqualTo("failure");
        assertThat(statuses.path("statuses")).extracting(s -> s.path("context").asString() + "="
                + s.path("state").asString()).containsExactly("ci/build=success",
                        "ci/lint=failure");
        assertThat(statuses.path("statuses").get(0).has("url")).as("API URLs trimmed").isFalse();
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("statuses", "read")));
        assertThat(github.requests("GET", "/repos/octo/hello/commits/" + SHA + "/status"))
                .singleElement().satisfies(request -> assertThat(request.path()).endsWith(
                        "/status?per_page=30&page=1"));
    }

    @Test
    void listWorkflowRunsFiltersByBranchAndStatusWithActionsReadOnly() {
        hello.workflowRuns.add(run(12, "agent-fix", "failure"));
        hello.workflowRuns.add(run(11, "main", "success"));

        JsonNode runs = result(run(harness.decision("list_workflow_runs",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-fix\","
                        + "\"status\":\"failure\"}")));

        assertThat(runs.path("total_count").asLong()).isEqualTo(1);
        assertThat(runs.path("workflow_runs")).singleElement().satisfies(one -> {
            assertThat(one.path("id").asLong()).isEqualTo(12);
            assertThat(one.path("conclusion").asString()).isEqualTo("failure");
            assertThat(one.has("logs_url")).isFalse();
        });
        assertThat(github.requests("GET", "/repos/octo/hello/actions/runs")).singleElement()
                .satisfies(request -> assertThat(request.path()).isEqualTo(
                        "/repos/octo/hello/actions/runs?per_page=30&page=1&branch=agent-fix"
                                + "&status=failure"));
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("actions", "read")));
    }

    @Test
    void listWorkflowJobsGivesEachJobAndItsStepsAndAnUnknownRunIsNotFound() {
        ObjectNode job = JSON.createObjectNode().put("id", 29_679_449_000L).put("run_id", 12)
                .put("name", "test").put("status", "completed").put("conclusion", "failure")
                .put("html_url", "https://github.com/octo/hello/actions/runs/12/job/29679449000")
                .put("runner_name", "GitHub Actions 2");
        job.putArray("steps").addObject().put("number", 3).put("name", "Run tests").put(
                "status", "completed").put("conclusion", "failure");
        hello.workflowJobs.put(12L, List.of(job));

        JsonNode jobs = result(run(harness.decision("list_workflow_jobs",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"run_id\":12}")));
        ToolCallCompleted unknown = run(harness.decision("list_workflow_jobs",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"run_id\":99}"));

        assertThat(jobs.path("jobs")).singleElement().satisfies(one -> {
            assertThat(one.path("id").asLong()).isEqualTo(29_679_449_000L);
            assertThat(one.path("steps")).singleElement().satisfies(step -> assertThat(step
                    .path("conclusion").asString()).isEqualTo("failure"));
            assertThat(one.has("runner_name")).isFalse();
        });
        assertThat(unknown.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(unknown.getErrorCode()).isEqualTo("not_found");
    }

    @Test
    void getJobLogFollowsTheRedirectToTheSignedUrlAndGivesTheLastLines() {
        StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            log.append("2026-12-01T10:00:").append(i % 60).append("Z line ").append(i).append('\n');
        }
        log.append("Error: Process completed with exit code 1.\n");
        hello.jobLogs.put(29_679_449_000L, log.toString());

        JsonNode answer = result(run(harness.decision("get_job_log",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"job_id\":29679449000,"
                        + "\"tail_lines\":3}")));

        assertThat(answer.path("total_lines").asLong()).isEqualTo(501);
        assertThat(answer.path("start_line").asLong()).isEqualTo(499);
        assertThat(answer.path("content").asString()).isEqualTo("2026-12-01T10:00:19Z line 499\n"
                + "2026-12-01T10:00:20Z line 500\nError: Process completed with exit code 1.\n");
        assertThat(answer.has("note")).isFalse();
        assertThat(answer.toString()).as("the signed URL is not in the answer").doesNotContain(
                "_signed", "sig=");
        assertThat(github.requests("GET", "/_signed/job-logs/")).as("the redirect was followed")
                .singleElement().satisfies(signed -> assertThat(signed.authorization()).as(
                        "no token to the log's host").isEmpty());
        assertThat(github.requests("GET", "/repos/octo/hello/actions/jobs/")).singleElement()
                .satisfies(logs -> assertThat(logs.authorization()).startsWith("Bearer "));
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("actions", "read")));
    }

    @Test
    void aLogRedirectToALocalAddressOrPlainHttpIsRefusedAndNothingIsFetched() {
        for (String location : List.of("http://169.254.169.254/latest/meta-data/iam/",
                "https://169.254.169.254/latest/meta-data/", "https://[::1]:8443/x",
                "https://10.0.0.7/internal", "https://2130706433/x",
                "http://logs.example.com/job.txt")) {
            github.script("GET", "/repos/octo/hello/actions/jobs/5/logs", new MockResponse.Builder()
                    .code(302).addHeader("Location", location).build());

            ToolCallCompleted completed = run(harness.decision("get_job_log",
                    "{\"owner\":\"octo\",\"repo\":\"hello\",\"job_id\":5}"));

            assertThat(completed.getStatus()).as(location).isEqualTo(CallStatus.FAILED);
            assertThat(completed.getErrorCode()).as(location).isEqualTo("redirect_not_followed");
            assertThat(completed.getRetryable()).isFalse();
        }
        assertThat(github.requests()).as("nothing but the logs URL").allSatisfy(
                received -> assertThat(received.path()).doesNotContain("meta-data", "internal",
                        "job.txt"));
    }

    @Test
    void aLogTooLargeForOneAnswerGivesTheLastLinesThatFitAndSaysSo() {
        String line = "x".repeat(99) + "\n";
        hello.jobLogs.put(7L, line.repeat(5000)); // 500,000 bytes

        ToolCallCompleted completed = harness.executor().limitedBy(new AnswerLimit(100_000), null)
                .execute(harness.decision("get_job_log",
                        "{\"owner\":\"octo\",\"repo\":\"hello\",\"job_id\":7,"
                                + "\"tail_lines\":5000}"));

        JsonNode answer = result(completed);
        assertThat(answer.path("end_line").asLong()).isEqualTo(5000);
        assertThat(answer.path("start_line").asLong()).isGreaterThan(4000).isLessThan(5000);
        assertThat(answer.path("note").asString()).contains("only the last", "fit one answer");
        assertThat(AnswerLimit.sizeOf(completed)).isLessThanOrEqualTo(100_000);
    }

    @Test
    void anExpiredOrUnknownJobLogIsNotFound() {
        ToolCallCompleted completed = run(harness.decision("get_job_log",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"job_id\":123}"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(completed.getErrorCode()).isEqualTo("not_found");
        assertThat(github.requests("GET", "/_signed/")).isEmpty();
    }
}
