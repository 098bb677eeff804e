package dev.tollgate.executor.core;

import dev.tollgate.tools.Args;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ValidatedCall;
import java.util.List;

/**
 * One allowed call, as a handler sees it: validated and parsed by the tool's one definition, on
 * the target the decision was made on.
 *
 * @param requestId the request ID (the at-most-once key and the hidden marker)
 * @param call the call, validated by its tool's definition, with its target
 * @param repositories the {@code owner/repo} names the decision narrowed the token to
 * @param preconditions checks to make with the token before acting
 * @param session GitHub, with a token of exactly the decided scope
 * @param resultBudget the most bytes the result may take as JSON text (UTF-8, escaping included)
 *        for the answer to fit what Kafka carries ({@link AnswerLimit}); a handler that can say
 *        how to ask for less checks it itself
 * @param decidedAt when the call was decided: whatever the handler wrote for it on GitHub was
 *        written after this (a redelivery's marker search need not look further back)
 * @param firstAttempt true when the completion store knows no earlier delivery of this request
 *        got as far as writing ({@link CompletionStore#firstAttempt}): the handler writes without
 *        first searching GitHub for its marker
 */
public record ToolCall(String requestId, ValidatedCall call, List<String> repositories,
        List<String> preconditions, GitHubSession session, int resultBudget,
        java.time.Instant decidedAt, boolean firstAttempt) {

    public ToolCall {
        repositories = List.copyOf(repositories);
        preconditions = List.copyOf(preconditions);
    }

    /** Whether the handler must look on GitHub for what an earlier delivery wrote. */
    public boolean mayHaveWrittenBefore() {
        return !firstAttempt;
    }

    public Tool tool() {
        return call.tool().tool();
    }

    /** What the call acts on. */
    public Target target() {
        return call.requireTarget();
    }

    /** The normalized arguments. */
    public Args args() {
        return call.args();
    }

    public String owner() {
        return target().owner();
    }

    public String repo() {
        return target().repo();
    }

    /** {@code /repos/{owner}/{repo}}, names checked. */
    public String repoPath() {
        return "/repos/" + Paths.segment(owner()) + "/" + Paths.segment(repo());
    }

    public String text(String name) {
        return args().text(name);
    }

    public String requiredText(String name) {
        String value = text(name);
        if (value == null || value.isEmpty()) {
            throw Refusal.invalid("argument '" + name + "' is required");
        }
        return value;
    }
}
