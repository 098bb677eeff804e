package dev.tollgate.ingress.core.tools;

import static dev.tollgate.ingress.core.tools.Param.Format.AGENT_BRANCH;
import static dev.tollgate.ingress.core.tools.Param.Format.API_PATH;
import static dev.tollgate.ingress.core.tools.Param.Format.COMMIT_SHA;
import static dev.tollgate.ingress.core.tools.Param.Format.FILE_PATH;
import static dev.tollgate.ingress.core.tools.Param.Format.GIT_REF;
import static dev.tollgate.ingress.core.tools.Param.Format.OWNER;
import static dev.tollgate.ingress.core.tools.Param.Format.REPO;
import static dev.tollgate.ingress.core.tools.Param.Format.REQUEST_ID;

import dev.tollgate.schemas.GitHubAction;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every MCP tool the ingress offers: exactly one per {@link GitHubAction}, in the table's order.
 * The switch below is exhaustive over the enum, so a new action does not compile until it has a
 * tool.
 */
public final class ToolCatalogue {

    /** Largest file content push_files accepts per file (characters). */
    public static final int MAX_FILE_CONTENT = 1_000_000;

    private final Map<String, ToolDefinition> byName;

    private ToolCatalogue(Collection<ToolDefinition> tools) {
        Map<String, ToolDefinition> map = new LinkedHashMap<>();
        for (ToolDefinition tool : tools) {
            if (map.put(tool.name(), tool) != null) {
                throw new IllegalStateException("two tools are named " + tool.name());
            }
        }
        this.byName = java.util.Collections.unmodifiableMap(map);
    }

    public static ToolCatalogue standard() {
        return new ToolCatalogue(Arrays.stream(GitHubAction.values()).map(ToolCatalogue::define)
                .toList());
    }

    public List<ToolDefinition> tools() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Optional<ToolDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    private static final Param OWNER_PARAM = Param.Str.required("owner", OWNER,
            "Repository owner (user or organization login); compared case-insensitively");
    private static final Param REPO_PARAM = Param.Str.required("repo", REPO,
            "Repository name without .git; compared case-insensitively");

    private static List<Param> repoAnd(Param... more) {
        java.util.ArrayList<Param> params = new java.util.ArrayList<>();
        params.add(OWNER_PARAM);
        params.add(REPO_PARAM);
        params.addAll(List.of(more));
        return params;
    }

    /** The resource of a call naming owner and repo, plus an optional number, path and ref key. */
    private static Function<Map<String, Object>, Optional<ResourceRef>> repoResource(
            String numberKey, String pathKey, String refKey) {
        return args -> Optional.of(new ResourceRef((String) args.get("owner"),
                (String) args.get("repo"), numberKey == null ? null : (Long) args.get(numberKey),
                pathKey == null ? null : (String) args.get(pathKey),
                refKey == null ? null : (String) args.get(refKey)));
    }

    private static Param pullNumber() {
        return new Param.Int("pull_number", "Pull request number", true, 1, Integer.MAX_VALUE,
                null);
    }

    static ToolDefinition define(GitHubAction action) {
        return switch (action) {
            case STATUS -> new ToolDefinition(action, "Gateway status",
                    "Who you are to the gateway: your agent ID, environment, token expiry and "
                            + "grant narrowing, the tools that exist and the gateway's health. "
                            + "Answered by the gateway itself; needs no grant.",
                    List.of(), true, false, true, args -> Optional.empty());
            case READ_REPO -> new ToolDefinition(action, "Read repository",
                    "Repository metadata (default branch, visibility, description) and its "
                            + "top-level listing.",
                    repoAnd(), true, false, true, repoResource(null, null, null));
            case GET_FILE -> new ToolDefinition(action, "Get file",
                    "The content of one file at a ref (default: the default branch).",
                    repoAnd(Param.Str.required("path", FILE_PATH,
                            "File path relative to the repository root, e.g. src/main.c"),
                            Param.Str.optional("ref", GIT_REF,
                                    "Branch or tag name; default: the default branch")),
                    true, false, true, repoResource(null, "path", "ref"));
            case LIST_PULL_REQUESTS -> new ToolDefinition(action, "List pull requests",
                    "Pull requests of a repository, newest first, one page at a time.",
                    repoAnd(Param.Str.oneOf("state", List.of("open", "closed", "all"), "open",
                            "Which pull requests to list"),
                            Param.Str.optional("head", GIT_REF,
                                    "Only pull requests from this branch"),
                            Param.Str.optional("base", GIT_REF,
                                    "Only pull requests into this branch"),
                            new Param.Int("per_page", "Results per page", false, 1, 100, 30L),
                            new Param.Int("page", "Page number, from 1", false, 1, 1000, 1L)),
                    true, false, true, repoResource(null, null, "base"));
            case GITHUB_API_GET -> new ToolDefinition(action, "GitHub REST GET",
                    "Read-only passthrough: GET a GitHub REST path under /repos/{owner}/{repo} "
                            + "the agent may read, e.g. /repos/octo/hello/issues/1/comments.",
                    List.of(Param.Str.required("path", API_PATH,
                            "REST path starting with /repos/{owner}/{repo}, without query string"),
                            new Param.StrMap("query", "Query parameters, e.g. {\"per_page\": 50}",
                                    20)),
                    true, false, true, args -> {
                        String path = (String) args.get("path");
                        String[] ownerRepo = Names.ownerAndRepoOfApiPath(path);
                        return Optional.of(new ResourceRef(ownerRepo[0], ownerRepo[1], null, path,
                                null));
                    });
            case CREATE_ISSUE -> new ToolDefinition(action, "Create issue",
                    "Open an issue in a repository.",
                    repoAnd(Param.Str.text("title", true, 256, "Issue title"),
                            Param.Str.text("body", false, 65_536, "Issue body (Markdown)"),
                            new Param.Arr("labels", "Label names to apply", false,
                                    Param.Str.text("label", true, 50, "Label name"), 0, 20)),
                    false, false, false, repoResource(null, null, null));
            case CREATE_PR -> new ToolDefinition(action, "Create pull request",
                    "Open a pull request from head into base; a draft unless draft is false.",
                    repoAnd(Param.Str.text("title", true, 256, "Pull request title"),
                            Param.Str.required("head", GIT_REF, "Branch with the changes"),
                            Param.Str.required("base", GIT_REF, "Branch to merge into"),
                            Param.Str.text("body", false, 65_536, "Description (Markdown)"),
                            new Param.Bool("draft", "Open as a draft", true)),
                    false, false, false, repoResource(null, null, "base"));
            case CREATE_PULL_REQUEST_COMMENT -> new ToolDefinition(action,
                    "Comment on pull request",
                    "Add a comment to a pull request's conversation.",
                    repoAnd(pullNumber(),
                            Param.Str.text("body", true, 65_536, "Comment text (Markdown)")),
                    false, false, false, repoResource("pull_number", null, null));
            case CREATE_CHECK_RUN -> new ToolDefinition(action, "Create check run",
                    "Report a check run on a commit (e.g. a review bot's verdict).",
                    repoAnd(Param.Str.text("name", true, 100, "Check name"),
                            Param.Str.required("head_sha", COMMIT_SHA, "Commit to report on"),
                            Param.Str.oneOf("status", List.of("queued", "in_progress",
                                    "completed"), "completed", "Check status"),
                            Param.Str.oneOf("conclusion", List.of("success", "failure",
                                    "neutral", "cancelled", "skipped", "timed_out",
                                    "action_required"), null,
                                    "Required when status is completed"),
                            Param.Str.text("title", false, 256, "Output title"),
                            Param.Str.text("summary", false, 65_535, "Output summary (Markdown)")),
                    false, false, false, args -> {
                        if ("completed".equals(args.get("status"))
                                && args.get("conclusion") == null) {
                            throw new InvalidArgumentException("conclusion",
                                    "is required when status is completed");
                        }
                        return repoResource(null, null, "head_sha").apply(args);
                    });
            case CREATE_PENDING_REVIEW -> new ToolDefinition(action, "Create pending review",
                    "Start a pending (unsubmitted) review on a pull request with line comments; "
                            + "a human submits it.",
                    repoAnd(pullNumber(),
                            Param.Str.text("body", false, 65_536, "Review summary (Markdown)"),
                            Param.Str.optional("commit_id", COMMIT_SHA,
                                    "Commit the comments refer to; default: the head"),
                            new Param.Arr("comments", "Line comments", false,
                                    new Param.Obj("comment", "One line comment", true, List.of(
                                            Param.Str.required("path", FILE_PATH,
                                                    "File path in the pull request"),
                                            new Param.Int("line", "Line number in the diff",
                                                    true, 1, 1_000_000, null),
                                            Param.Str.oneOf("side", List.of("LEFT", "RIGHT"),
                                                    "RIGHT", "Side of the diff"),
                                            Param.Str.text("body", true, 65_536,
                                                    "Comment text"))),
                                    0, 100)),
                    false, false, false, repoResource("pull_number", null, "commit_id"));
            case CREATE_BRANCH -> new ToolDefinition(action, "Create branch",
                    "Create a branch named agent-* from a ref (default: the default branch).",
                    repoAnd(Param.Str.required("branch", AGENT_BRANCH,
                            "New branch name; must start with agent-"),
                            Param.Str.optional("from", GIT_REF,
                                    "Branch or tag to start from; default: the default branch")),
                    false, false, false, repoResource(null, null, "branch"));
            case PUSH_FILES -> new ToolDefinition(action, "Push files",
                    "Commit files to an agent-* branch in one commit (created or overwritten). "
                            + "The gateway performs the push; no git credential is needed.",
                    repoAnd(Param.Str.required("branch", AGENT_BRANCH,
                            "Branch to commit to; must start with agent-"),
                            Param.Str.text("message", true, 4096, "Commit message"),
                            new Param.Arr("files", "Files to write", true,
                                    new Param.Obj("file", "One file", true, List.of(
                                            Param.Str.required("path", FILE_PATH,
                                                    "File path relative to the repository root"),
                                            Param.Str.text("content", true, MAX_FILE_CONTENT,
                                                    "Full new content (UTF-8 text)"))),
                                    1, 100)),
                    false, true, false, repoResource(null, null, "branch"));
            case GET_REQUEST_STATUS -> new ToolDefinition(action, "Get request status",
                    "The final answer of an earlier call that was still pending, by its "
                            + "request ID. Answered by the gateway itself.",
                    List.of(Param.Str.required("request_id", REQUEST_ID,
                            "The request ID the pending answer gave")),
                    true, false, true, args -> Optional.empty());
        };
    }
}
