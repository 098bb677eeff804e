package dev.tollgate.schemas;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Every catalogued tool as an action on GitHub, with the GitHub App permissions a token needs to
 * perform it (least privilege: the executor requests exactly these). The one table the ingress's
 * tool catalogue, the policy and the executor all read. Destructive actions such as deleting a
 * repository are deliberately absent: they are not tools.
 */
public enum GitHubAction {

    /** Who the caller is and what it may do; answered by the ingress, never reaches GitHub. */
    STATUS("status", Kind.LOCAL, Map.of()),
    /** Repository metadata and top-level listing. */
    READ_REPO("read_repo", Kind.READ, Map.of("metadata", "read", "contents", "read")),
    /** One file's content at a ref. */
    GET_FILE("get_file", Kind.READ, Map.of("contents", "read")), LIST_PULL_REQUESTS(
            "list_pull_requests", Kind.READ, Map.of("pull_requests", "read")),
    /**
     * Read-only REST passthrough under a repository the agent may read. The token is limited to the
     * read permissions a repository path can need.
     */
    GITHUB_API_GET("github_api_get", Kind.READ, Map.of("metadata", "read", "contents", "read",
            "issues", "read", "pull_requests", "read")), CREATE_ISSUE("create_issue", Kind.WRITE,
                    Map.of("issues", "write")), CREATE_PR("create_pr", Kind.WRITE,
                            Map.of("pull_requests", "write")), CREATE_PULL_REQUEST_COMMENT(
                                    "create_pull_request_comment", Kind.WRITE,
                                    Map.of("pull_requests", "write")), CREATE_CHECK_RUN(
                                            "create_check_run", Kind.WRITE,
                                            Map.of("checks", "write")), CREATE_PENDING_REVIEW(
                                                    "create_pending_review", Kind.WRITE,
                                                    Map.of("pull_requests",
                                                            "write")), CREATE_BRANCH(
                                                                    "create_branch", Kind.WRITE,
                                                                    Map.of("contents",
                                                                            "write")), PUSH_FILES(
                                                                                    "push_files",
                                                                                    Kind.WRITE,
                                                                                    Map.of("contents",
                                                                                            "write")),
    /** The final answer of an earlier call; answered by the ingress, never reaches GitHub. */
    GET_REQUEST_STATUS("get_request_status", Kind.LOCAL, Map.of());

    /** Where an action is answered and whether it changes anything on GitHub. */
    public enum Kind {
        /** Answered by the ingress itself; needs no grant and no token. */
        LOCAL,
        /** Reads GitHub; safe to retry. */
        READ,
        /** Changes GitHub; performed at most once per request ID. */
        WRITE
    }

    private final String toolName;
    private final Kind kind;
    private final Map<String, String> permissions;

    GitHubAction(String toolName, Kind kind, Map<String, String> permissions) {
        this.toolName = toolName;
        this.kind = kind;
        this.permissions = Map.copyOf(permissions);
    }

    /** The MCP tool name agents call. */
    public String toolName() {
        return toolName;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isWrite() {
        return kind == Kind.WRITE;
    }

    /** GitHub App permissions (name to read/write) a token for this action is requested with. */
    public Map<String, String> permissions() {
        return permissions;
    }

    public static Optional<GitHubAction> byToolName(String toolName) {
        return Arrays.stream(values()).filter(action -> action.toolName.equals(toolName))
                .findFirst();
    }
}
