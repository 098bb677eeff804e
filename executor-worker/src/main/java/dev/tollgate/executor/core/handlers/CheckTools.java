package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Checks: list the check runs on a ref, report one. */
final class CheckTools {

    private CheckTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.LIST_CHECK_RUNS, CheckTools::listCheckRuns, Tool.CREATE_CHECK_RUN,
                CheckTools::createCheckRun);
    }

    /** The check runs on a ref: name, status, conclusion, output title, when. */
    static JsonNode listCheckRuns(ToolCall call) {
        JsonNode answer = call.session().get(call.repoPath() + "/commits/" + encode(call
                .requiredText("ref")) + "/check-runs?filter=latest&per_page=" + call.args()
                        .number("per_page")
                + "&page=" + call.args().number("page"));
        ObjectNode result = object().put("total_count", answer.path("total_count").asLong());
        ArrayNode runs = result.putArray("check_runs");
        answer.path("check_runs").forEach(run -> runs.add(pick(run, "id", "name", "status",
                "conclusion", "started_at", "completed_at", "html_url", "head_sha").put(
                        "title", run.path("output").path("title").asString(null))));
        return result;
    }

    /** The check run's {@code external_id} is the request ID: found again on redelivery. */
    static JsonNode createCheckRun(ToolCall call) {
        Preconditions.check(call);
        String name = call.requiredText("name");
        String headSha = call.requiredText("head_sha");
        JsonNode existing = call.mayHaveWrittenBefore()
                ? call.session().get(call.repoPath() + "/commits/" + encode(headSha)
                        + "/check-runs?filter=all&per_page=" + Results.MARKER_SEARCH_PAGE
                        + "&check_name=" + encode(name))
                : object();
        for (JsonNode run : existing.path("check_runs")) {
            if (call.requestId().equals(run.path("external_id").asString(null))) {
                return pick(run, "id", "name", "status", "conclusion", "html_url").put(
                        "deduplicated", true);
            }
        }
        ObjectNode body = object().put("name", name).put("head_sha", headSha).put("external_id",
                call.requestId());
        String status = call.text("status");
        body.put("status", status == null ? "completed" : status);
        if (call.text("conclusion") != null) {
            body.put("conclusion", call.text("conclusion"));
        }
        if (call.text("title") != null || call.text("summary") != null) {
            body.putObject("output").put("title", call.text("title") == null
                    ? name
                    : call.text("title")).put("summary", call.text("summary") == null
                            ? ""
                            : call.text("summary"));
        }
        return pick(call.session().call("POST", call.repoPath() + "/check-runs", body), "id",
                "name", "status", "conclusion", "html_url");
    }
}
