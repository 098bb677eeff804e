package dev.tollgate.decision.policy;

import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.secrets.CredentialFinding;
import dev.tollgate.tools.secrets.WrittenContent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What no policy can lift: anything that is not a catalogued tool (deleting a repository is not
 * one), pushing to the default or a protected branch, and a write carrying what looks like a
 * credential ({@link #credentialRefusal}). The decision worker cannot see GitHub:
 * it blocks {@code main}, {@code master} and the policy's protected-branch patterns itself, and
 * hands the executor the preconditions to check the repository's real default branch and branch
 * protection before it pushes.
 */
public final class HardBlocks {

    /** Branches blocked in every policy; a policy can add patterns, never remove these. */
    public static final List<String> BUILT_IN_PROTECTED_BRANCHES = List.of("main", "master");

    private static final Map<String, String> DESTRUCTIVE = Map.ofEntries(
            Map.entry("delete_repo", "deleting a repository"),
            Map.entry("delete_repository", "deleting a repository"),
            Map.entry("transfer_repo", "transferring a repository"),
            Map.entry("archive_repo", "archiving a repository"),
            Map.entry("delete_branch", "deleting a branch"),
            Map.entry("delete_file", "deleting files outside a reviewed change"),
            Map.entry("force_push", "force-pushing"),
            Map.entry("merge_pull_request", "merging into a branch (a push to it)"),
            Map.entry("update_branch_protection", "changing branch protection"),
            Map.entry("delete_branch_protection", "removing branch protection"),
            Map.entry("update_repo_settings", "changing repository settings"));

    private HardBlocks() {
    }

    /** Why a tool name is blocked, if it is not a catalogued action that reaches GitHub. */
    public static Optional<String> blockedTool(String tool) {
        if (tool == null || tool.isBlank()) {
            return Optional.of("the request names no tool");
        }
        if (Tool.byToolName(tool).isPresent()) {
            return Optional.empty();
        }
        String what = DESTRUCTIVE.get(tool.toLowerCase(Locale.ROOT));
        if (what != null) {
            return Optional.of("'" + tool + "' is hard-blocked: " + what
                    + " is never allowed through Tollgate, whatever the policy says");
        }
        return Optional
                .of("'" + tool + "' is not a catalogued tool and is hard-blocked; the tools are: "
                        + catalogue());
    }

    /**
     * Why a write is refused for the credentials found in its content, if any: the first finding's
     * kind and place and what to do, then up to four more. Never a credential's value: a finding
     * holds none, only its format's fixed prefix.
     */
    public static Optional<String> credentialRefusal(String tool,
            List<CredentialFinding> found) {
        return WrittenContent.refusal(tool, found);
    }

    /** The catalogued tool names, for messages. */
    public static String catalogue() {
        return Arrays.stream(Tool.values()).map(Tool::toolName)
                .collect(Collectors.joining(", "));
    }

    /** The branch name without {@code refs/heads/}. */
    public static String normalizeBranch(String branch) {
        if (branch == null) {
            return null;
        }
        String trimmed = branch.trim();
        return trimmed.startsWith("refs/heads/")
                ? trimmed.substring("refs/heads/".length())
                : trimmed;
    }

    /**
     * The protected pattern a branch matches, if any. Compared case-insensitively, so {@code Main}
     * is blocked as well.
     */
    public static Optional<String> protectedPattern(String branch, List<Glob> extraPatterns) {
        if (branch == null) {
            return Optional.empty();
        }
        String name = normalizeBranch(branch).toLowerCase(Locale.ROOT);
        for (String builtIn : BUILT_IN_PROTECTED_BRANCHES) {
            if (name.equals(builtIn)) {
                return Optional.of(builtIn);
            }
        }
        for (Glob pattern : extraPatterns) {
            if (Glob.of(pattern.pattern().toLowerCase(Locale.ROOT)).matches(name)) {
                return Optional.of(pattern.pattern());
            }
        }
        return Optional.empty();
    }
}
