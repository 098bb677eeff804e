package dev.tollgate.executor.core;

import dev.tollgate.schemas.GitHubAction;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One allowed call, as the tools see it.
 *
 * @param requestId the request ID (the at-most-once key and the hidden marker)
 * @param action the catalogued action
 * @param owner repository owner
 * @param repo repository name
 * @param arguments the validated tool arguments
 * @param repositories the {@code owner/repo} names the decision narrowed the token to
 * @param preconditions checks to make with the token before acting
 * @param session GitHub, with a token of exactly the decided scope
 */
public record ToolCall(String requestId, GitHubAction action, String owner, String repo,
        JsonNode arguments, List<String> repositories, List<String> preconditions,
        GitHubSession session) {

    /** {@code /repos/{owner}/{repo}}, names checked. */
    public String repoPath() {
        return "/repos/" + Paths.segment(owner) + "/" + Paths.segment(repo);
    }

    public String text(String name) {
        JsonNode value = arguments.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }

    public String requiredText(String name) {
        String value = text(name);
        if (value == null || value.isEmpty()) {
            throw ToolCallExecutor.invalid("argument '" + name + "' is required");
        }
        return value;
    }

    public long number(String name) {
        JsonNode value = arguments.get(name);
        if (value == null || !value.canConvertToLong() || value.asLong() < 1) {
            throw ToolCallExecutor.invalid("argument '" + name + "' must be a positive number");
        }
        return value.asLong();
    }
}
