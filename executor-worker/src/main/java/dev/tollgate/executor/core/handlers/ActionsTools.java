package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CI results besides check runs: commit statuses, GitHub Actions workflow runs, their jobs and a
 * job's log. Each asks only for the permission it needs ({@code statuses: read} or
 * {@code actions: read}).
 */
final class ActionsTools {

    /** Bytes of a result other than the log's text: its fields, and the cut's note. */
    private static final int LOG_FIELDS_BYTES = 512;

    private ActionsTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.LIST_COMMIT_STATUSES, ActionsTools::listCommitStatuses,
                Tool.LIST_WORKFLOW_RUNS, ActionsTools::listWorkflowRuns,
                Tool.LIST_WORKFLOW_JOBS, ActionsTools::listWorkflowJobs, Tool.GET_JOB_LOG,
                ActionsTools::getJobLog);
    }

    /** The combined status of a ref: its overall state and each context's latest status. */
    static JsonNode listCommitStatuses(ToolCall call) {
        JsonNode answer = call.session().get(call.repoPath() + "/commits/" + encode(call
                .requiredText("ref")) + "/status?per_page=" + call.args().number("per_page")
                + "&page=" + call.args().number("page"));
        ObjectNode result = object().put("state", answer.path("state").asString(null)).put("sha",
                answer.path("sha").asString(null)).put("total_count",
                        answer.path("total_count")
                                .asLong());
        ArrayNode statuses = result.putArray("statuses");
        answer.path("statuses").forEach(status -> statuses.add(pick(status, "context", "state",
                "description", "target_url", "updated_at")));
        return result;
    }

    /** Workflow runs, newest first, filtered as asked. */
    static JsonNode listWorkflowRuns(ToolCall call) {
        StringBuilder path = new StringBuilder(call.repoPath()).append("/actions/runs?per_page=")
                .append(call.args().number("per_page")).append("&page=").append(call.args()
                        .number("page"));
        for (String filter : new String[]{"branch", "head_sha", "status"}) {
            if (call.text(filter) != null) {
                path.append('&').append(filter).append('=').append(encode(call.text(filter)));
            }
        }
        JsonNode answer = call.session().get(path.toString());
        ObjectNode result = object().put("total_count", answer.path("total_count").asLong());
        ArrayNode runs = result.putArray("workflow_runs");
        answer.path("workflow_runs").forEach(run -> runs.add(pick(run, "id", "name",
                "display_title", "head_branch", "head_sha", "event", "status", "conclusion",
                "run_number", "run_attempt", "html_url", "created_at", "updated_at")));
        return result;
    }

    /** The jobs of a run's latest attempt, with their steps. */
    static JsonNode listWorkflowJobs(ToolCall call) {
        JsonNode answer = call.session().get(call.repoPath() + "/actions/runs/" + call.args()
                .number("run_id") + "/jobs?filter=latest&per_page="
                + call.args().number(
                        "per_page")
                + "&page=" + call.args().number("page"));
        ObjectNode result = object().put("total_count", answer.path("total_count").asLong());
        ArrayNode jobs = result.putArray("jobs");
        answer.path("jobs").forEach(job -> {
            ObjectNode one = pick(job, "id", "run_id", "name", "status", "conclusion",
                    "started_at", "completed_at", "html_url");
            ArrayNode steps = one.putArray("steps");
            job.path("steps").forEach(step -> steps.add(pick(step, "number", "name", "status",
                    "conclusion")));
            jobs.add(one);
        });
        return result;
    }

    /**
     * A job's log, its last {@code tail_lines} lines. GitHub answers the logs URL with a redirect
     * to a short-lived signed URL, which is followed by hand, once, without the token, and only
     * to https (or the API's own host) and never to a local address ({@code RedirectTarget}:
     * no transport follows redirects by itself); the URL itself is never part of the answer.
     * Fewer lines are returned when that many would not fit one answer, and the answer says so.
     */
    static JsonNode getJobLog(ToolCall call) {
        long jobId = call.args().number("job_id");
        String path = call.repoPath() + "/actions/jobs/" + jobId + "/logs";
        // A redirect that could not be followed now (the log storage's breaker is open) is not
        // asked for: the call would spend the installation's rate limit for nothing.
        Optional<GitHubError> refusal = call.session().redirectRefusal();
        if (refusal.isPresent()) {
            throw new GitHubCallException(refusal.get());
        }
        GitHubResponse response = call.session().send("GET", path, Optional.empty());
        if (response.status() >= 300 && response.status() < 400) {
            // The one redirect followed by hand: to the signed URL, once, without the token.
            response = call.session().followRedirect(path, response);
        }
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(response));
        }
        TextLines lines = new TextLines(response.body());
        long total = lines.count();
        long wanted = call.args().number("tail_lines");
        long first = Math.max(1, total - wanted + 1);
        long room = call.resultBudget() - LOG_FIELDS_BYTES;
        long fits = lines.firstFittingBackwards(total, room);
        boolean cut = fits > first;
        first = Math.max(first, fits);
        ObjectNode result = object().put("job_id", jobId).put("total_lines", total).put(
                "start_line", first).put("end_line", total).put("content", lines.slice(first,
                        total));
        if (cut) {
            result.put("note", (first > total
                    ? "its last line alone is larger than one answer"
                    : "only the last " + (total - first + 1) + " lines fit one answer")
                    + "; the whole log is on the job's page (list_workflow_jobs gives its"
                    + " html_url)");
        }
        return result;
    }
}
