package dev.tollgate.executor.core.handlers;

import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The decision's preconditions, checked with the call's token before it acts: only GitHub knows
 * a repository's default branch, its branch protection and whether it is a fork. Unknown ones
 * refuse the call: a check we cannot make is a check that failed.
 */
final class Preconditions {

    private Preconditions() {
    }

    /** Checks every precondition of the call; {@code branch} is the branch it writes, if any. */
    static void check(ToolCall call) {
        String branch = call.target().branch();
        JsonNode repo = null;
        for (String precondition : call.preconditions()) {
            switch (precondition) {
                case "require-fork" -> {
                    repo = repo == null ? call.session().get(call.repoPath()) : repo;
                    if (!repo.path("fork").asBoolean(false)) {
                        throw Refusal.forbidden("precondition require-fork failed: "
                                + call.target().repository() + " is not a fork");
                    }
                }
                case "branch-not-default" -> {
                    requireBranch(precondition, branch);
                    repo = repo == null ? call.session().get(call.repoPath()) : repo;
                    if (branch.equals(repo.path("default_branch").asString())) {
                        throw Refusal.forbidden("precondition branch-not-default failed: "
                                + branch + " is the default branch");
                    }
                }
                case "branch-not-protected" -> {
                    requireBranch(precondition, branch);
                    Optional<JsonNode> found = call.session().find(call.repoPath() + "/branches/"
                            + Results.encodeRef(branch));
                    if (found.isPresent() && found.get().path("protected").asBoolean(false)) {
                        throw Refusal.forbidden("precondition branch-not-protected failed: "
                                + branch + " is protected");
                    }
                }
                default -> throw Refusal.forbidden("unknown precondition '" + precondition
                        + "': refusing rather than acting unchecked");
            }
        }
    }

    private static void requireBranch(String precondition, String branch) {
        if (branch == null) {
            throw Refusal.forbidden("precondition " + precondition
                    + " names a branch, but this tool writes none: refusing");
        }
    }
}
