package dev.tollgate.tools;

import static dev.tollgate.tools.Param.Format.AGENT_BRANCH;
import static dev.tollgate.tools.Param.Format.API_PATH;
import static dev.tollgate.tools.Param.Format.COMMIT_SHA;
import static dev.tollgate.tools.Param.Format.FILE_PATH;
import static dev.tollgate.tools.Param.Format.GIT_REF;
import static dev.tollgate.tools.Param.Format.OWNER;
import static dev.tollgate.tools.Param.Format.PULL_REQUEST_HEAD;
import static dev.tollgate.tools.Param.Format.REQUEST_ID;
import static dev.tollgate.tools.Param.Format.SEARCH_QUERY;
import static dev.tollgate.tools.Params.FORGEJO_HOST_PARAM;
import static dev.tollgate.tools.Params.FORGEJO_OWNER_PARAM;
import static dev.tollgate.tools.Params.GITLAB_HOST_PARAM;
import static dev.tollgate.tools.Params.GITLAB_PROJECT_PARAM;
import static dev.tollgate.tools.Params.JIRA_ISSUE_PARAM;
import static dev.tollgate.tools.Params.JIRA_PROJECT_PARAM;
import static dev.tollgate.tools.Params.OWNER_PARAM;
import static dev.tollgate.tools.Params.REPO_PARAM;
import static dev.tollgate.tools.Params.issueNumber;
import static dev.tollgate.tools.Params.page;
import static dev.tollgate.tools.Params.perPage;
import static dev.tollgate.tools.Params.pullNumber;
import static dev.tollgate.tools.Params.reviewId;
import static dev.tollgate.tools.Params.runId;
import static dev.tollgate.tools.ToolDefinition.local;
import static dev.tollgate.tools.ToolDefinition.read;
import static dev.tollgate.tools.ToolDefinition.write;

import dev.tollgate.tools.Target.NumberKind;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every tool Tollgate offers, each defined once, here: its name, description, arguments, hints,
 * the tier that grants it, the GitHub App permissions its token is requested with, and how its
 * arguments become the {@link Target} that the ingress, the decision worker, the executor and the
 * audit trail all read. Adding a tool is one constant here and one executor handler; the snapshot
 * test and the README's tool table follow from it. Destructive repository actions such as deleting
 * a repository are deliberately absent: they are not tools.
 */
public enum Tool {

    // ---- answered by the ingress ------------------------------------------------------------

    /** Who the caller is and what it may do; never reaches GitHub. */
    STATUS(local("status").title("Gateway status").description(
            "Who you are to the gateway: your agent ID, environment, token expiry and grant "
                    + "narrowing; per forge (GitHub, each Forgejo and GitLab host, JIRA) the "
                    + "repositories or projects and the tools the policy may allow you there; "
                    + "the tools that exist and the gateway's health. Answered by the gateway "
                    + "itself; needs no grant.")),

    // ---- reads -------------------------------------------------------------------------------

    /** Repository metadata and its top-level listing (names, not contents). */
    READ_REPO(read("read_repo", Tier.READ).title("Read repository").description(
            "Repository metadata (default branch, visibility, description) and its top-level "
                    + "listing.")
            .permission("metadata", "read").permission("contents", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM)
            .target(args -> args.repository().build())),

    /** One file's content (or a directory's listing) at a ref. */
    GET_FILE(read("get_file", Tier.READ).title("Get file").description(
            "The content of one file at a ref (default: the default branch), or of a range of "
                    + "its lines (start_line, end_line) when the whole file is too large for one "
                    + "answer.")
            .permission("contents", "read")
            .reveals(Reveals.FILES)
            .params(OWNER_PARAM, REPO_PARAM, Params.FILE_PATH_PARAM, Params.FILE_REF_PARAM,
                    Params.START_LINE_PARAM, Params.END_LINE_PARAM)
            .target(args -> fileIn(args.repository(), args))),

    /** Pull requests of a repository, a page at a time: reveals every pull request. */
    LIST_PULL_REQUESTS(read("list_pull_requests", Tier.READ).title("List pull requests")
            .description("Pull requests of a repository, newest first, one page at a time.")
            .permission("pull_requests", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.oneOf("state", List.of("open", "closed", "all"), "open",
                            "Which pull requests to list"),
                    Param.Str.optional("head", GIT_REF, "Only pull requests from this branch"),
                    Param.Str.optional("base", GIT_REF, "Only pull requests into this branch"),
                    perPage(), page())
            .target(args -> args.repository().everyNumber(NumberKind.PULL_REQUEST,
                    "it lists the repository's pull requests; read one by number with "
                            + "github_api_get /repos/{owner}/{repo}/pulls/{number}")
                    .build())),

    /** Branches of a repository, a page at a time: names and head commits, not contents. */
    LIST_BRANCHES(read("list_branches", Tier.READ).title("List branches").description(
            "Branches of a repository, one page at a time: each branch's name, head commit and "
                    + "whether it is protected.")
            .permission("contents", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM,
                    new Param.Bool("protected", "Only protected (true) or unprotected (false) "
                            + "branches; default: all", null),
                    perPage(), page())
            .target(args -> args.repository().build())),

    /** One issue (or pull request, as GitHub serves both here) by number. */
    GET_ISSUE(read("get_issue", Tier.READ).title("Get issue").description(
            "One issue by number: title, state, body, labels, assignees, author.")
            .permission("issues", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, issueNumber())
            .target(args -> args.repository().number(NumberKind.ISSUE_OR_PULL_REQUEST, args
                    .number("issue_number")).build())),

    /** Issues of a repository, a page at a time: reveals every issue. */
    LIST_ISSUES(read("list_issues", Tier.READ).title("List issues").description(
            "Issues of a repository (GitHub lists pull requests here too), most recently "
                    + "updated first, one page at a time.")
            .permission("issues", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.oneOf("state", List.of("open", "closed", "all"), "open",
                            "Which issues to list"),
                    new Param.Arr("labels", "Only issues with all of these labels", false,
                            Param.Str.text("label", true, 50, "Label name"), 0, 20),
                    perPage(), page())
            .target(args -> args.repository().everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST,
                    "it lists the repository's issues; read one with get_issue").build())),

    /** The conversation of one issue or pull request. */
    LIST_ISSUE_COMMENTS(read("list_issue_comments", Tier.READ).title("List issue comments")
            .description("The comments on one issue or pull request's conversation, oldest "
                    + "first, one page at a time.")
            .permission("issues", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, issueNumber(), perPage(), page())
            .target(args -> args.repository().number(NumberKind.ISSUE_OR_PULL_REQUEST, args
                    .number("issue_number")).build())),

    /** One pull request by number. */
    GET_PULL_REQUEST(read("get_pull_request", Tier.READ).title("Get pull request").description(
            "One pull request by number: title, state, draft, body, head and base, author, and "
                    + "how many files, additions and deletions it has.")
            .permission("pull_requests", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, pullNumber())
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** The files a pull request changes, with their patches: reveals any file it touches. */
    LIST_PULL_REQUEST_FILES(read("list_pull_request_files", Tier.READ).title(
            "List pull request files").description(
                    "The files a pull request changes, with each file's status, line counts and "
                            + "patch, one page at a time.")
            .permission("pull_requests", "read")
            .reveals(Reveals.FILES, Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(), perPage(), page())
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).everyPath(ApiRoutes.PATCHES).everyRef(ApiRoutes.HEAD)
                    .build())),

    /** The review comments on a pull request's lines; their diff hunks show any changed file. */
    LIST_REVIEW_COMMENTS(read("list_review_comments", Tier.READ).title("List review comments")
            .description("The review comments on a pull request's changed lines, oldest first, "
                    + "one page at a time: each comment's ID (to reply to it), file, line, "
                    + "diff hunk, author and text, and which comment it replies to.")
            .permission("pull_requests", "read")
            .reveals(Reveals.FILES, Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(), perPage(), page())
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).everyPath(ApiRoutes.HUNKS).everyRef(ApiRoutes.HEAD)
                    .build())),

    /** Check runs reported on a commit, branch or tag. */
    LIST_CHECK_RUNS(read("list_check_runs", Tier.READ).title("List check runs").description(
            "The check runs reported on a ref (branch, tag or commit SHA): each check's name, "
                    + "status, conclusion and output title.")
            .permission("checks", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("ref", GIT_REF, "Branch, tag or commit SHA"),
                    perPage(), page())
            .target(args -> args.repository().ref(args.text("ref")).build())),

    /** Commit statuses (the older CI API) on a ref, combined. */
    LIST_COMMIT_STATUSES(read("list_commit_statuses", Tier.READ).title("List commit statuses")
            .description("The commit statuses reported on a ref (branch, tag or commit SHA), "
                    + "combined: the overall state and each context's state and description.")
            .permission("statuses", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("ref", GIT_REF, "Branch, tag or commit SHA"),
                    perPage(), page())
            .target(args -> args.repository().ref(args.text("ref")).build())),

    /** GitHub Actions workflow runs, newest first; of every branch unless one is named. */
    LIST_WORKFLOW_RUNS(read("list_workflow_runs", Tier.READ).title("List workflow runs")
            .description("GitHub Actions workflow runs, newest first, one page at a time: each "
                    + "run's ID, workflow name, branch, head SHA, status and conclusion. Name a "
                    + "branch or a head SHA to see only its runs.")
            .permission("actions", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.optional("branch", GIT_REF, "Only runs of this branch"),
                    Param.Str.optional("head_sha", COMMIT_SHA, "Only runs of this commit"),
                    Param.Str.oneOf("status", List.of("completed", "in_progress", "queued",
                            "failure", "success", "cancelled"), null,
                            "Only runs with this status or conclusion"),
                    perPage(), page())
            .target(args -> {
                Target.Builder target = args.repository().ref(args.text("branch")).ref(args
                        .text("head_sha"));
                return args.text("branch") == null && args.text("head_sha") == null
                        ? target.everyRef(ApiRoutes.RUNS).build()
                        : target.build();
            })),

    /** The jobs of one workflow run and their steps. */
    LIST_WORKFLOW_JOBS(read("list_workflow_jobs", Tier.READ).title("List workflow jobs")
            .description("The jobs of one workflow run (its latest attempt): each job's ID, name, "
                    + "status, conclusion and steps. Read a failed job's log with get_job_log.")
            .permission("actions", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM, runId(), perPage(), page())
            .target(args -> args.repository().everyRef(ApiRoutes.BY_ID).build())),

    /** A job's log, its last lines first in importance: reveals whatever the job printed. */
    GET_JOB_LOG(read("get_job_log", Tier.READ).title("Get job log").description(
            "The log of one GitHub Actions job, its last lines (where a failure usually is): "
                    + "tail_lines of them (default 200), with how many lines the log has. GitHub "
                    + "masks the repository's secrets in logs.")
            .permission("actions", "read")
            .reveals(Reveals.FILES)
            .params(OWNER_PARAM, REPO_PARAM,
                    new Param.Int("job_id", "Job ID, from list_workflow_jobs", true, 1,
                            Params.MAX_ID, null),
                    new Param.Int("tail_lines", "How many of the last lines to return", false, 1,
                            5000, 200L))
            .target(args -> args.repository().everyRef(ApiRoutes.BY_ID).everyPath(ApiRoutes.LOGS)
                    .build())),

    /** Commits of a branch, newest first. */
    LIST_COMMITS(read("list_commits", Tier.READ).title("List commits").description(
            "Commits reachable from a branch (default: the default branch), newest first, "
                    + "optionally only those that touch a path: SHA, message, author, date.")
            .permission("contents", "read")
            .reveals(Reveals.METADATA)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.optional("sha", GIT_REF, "Branch, tag or commit SHA to start from"),
                    Param.Str.optional("path", FILE_PATH, "Only commits touching this path"),
                    perPage(), page())
            .target(args -> args.repository().ref(args.text("sha")).path(args.text("path"))
                    .build())),

    /** Two refs compared, with the patches of every changed file. */
    COMPARE_REFS(read("compare_refs", Tier.READ).title("Compare refs").description(
            "How head differs from base: commits ahead and behind, and each changed file with "
                    + "its patch.")
            .permission("contents", "read")
            .reveals(Reveals.FILES)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("base", GIT_REF, "The ref to compare against"),
                    Param.Str.required("head", GIT_REF, "The ref with the changes"))
            .target(args -> args.repository().ref(args.text("base")).ref(args.text("head"))
                    .everyPath(ApiRoutes.PATCHES).build())),

    /** Every path of a tree: names the whole repository's layout. */
    GET_TREE(read("get_tree", Tier.READ).title("Get tree").description(
            "The paths of a tree at a ref (default: the default branch), recursively if asked: "
                    + "each entry's path, type and size.")
            .permission("contents", "read")
            .reveals(Reveals.FILES)
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.optional("ref", GIT_REF, "Branch, tag or commit SHA"),
                    new Param.Bool("recursive", "List subdirectories too", false))
            .target(args -> args.repository().ref(args.text("ref")).everyPath(ApiRoutes.TREE)
                    .build())),

    /** Code search inside one repository: a match can be in any file. */
    SEARCH_CODE(read("search_code", Tier.READ).title("Search code").description(
            "Search the code of one repository with GitHub's code search (default branch): each "
                    + "matching file's path, name and SHA, best match first, one page at a time. "
                    + "The query takes GitHub's syntax (words, \"phrases\", path:, language:, "
                    + "extension:) but not repo:, org: or user:: the gateway searches only the "
                    + "repository named.")
            .permission("contents", "read")
            .reveals(Reveals.FILES)
            .params(OWNER_PARAM, REPO_PARAM, Param.Str.required("query", SEARCH_QUERY,
                    "What to search for, in GitHub's code search syntax, without repo:, org: "
                            + "or user:"),
                    perPage(), page())
            .target(args -> args.repository().everyPath(
                    "a code search can match any file; read one with get_file").build())),

    /** Issue and pull request search inside one repository: reveals any of them. */
    SEARCH_ISSUES(read("search_issues", Tier.READ).title("Search issues").description(
            "Search the issues and pull requests of one repository with GitHub's issue search: "
                    + "number, title, state, labels and author of each, best match first, one "
                    + "page at a time. The query takes GitHub's syntax (words, is:open, is:pr, "
                    + "label:, author:) but not repo:, org: or user:: the gateway searches only "
                    + "the repository named.")
            .permission("issues", "read").permission("pull_requests", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(OWNER_PARAM, REPO_PARAM, Param.Str.required("query", SEARCH_QUERY,
                    "What to search for, in GitHub's issue search syntax, without repo:, org: "
                            + "or user:"),
                    perPage(), page())
            .target(args -> args.repository().everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST,
                    "a search can match any issue or pull request; read one with get_issue")
                    .build())),

    /**
     * Read-only REST passthrough under one repository. Its target is parsed from the REST path
     * and query ({@link ApiRoutes}), so every condition applies to it as to the dedicated tools.
     */
    GITHUB_API_GET(read("github_api_get", Tier.READ).title("GitHub REST GET").description(
            "Read-only passthrough: GET a GitHub REST path under /repos/{owner}/{repo} the agent "
                    + "may read, e.g. /repos/octo/hello/issues/1/comments.")
            .permission("metadata", "read").permission("contents", "read")
            .permission("issues", "read").permission("pull_requests", "read")
            .permissionsPerCall(args -> ApiRoutes.permissions(args.text("path")))
            .reveals(Reveals.values())
            .params(Param.Str.required("path", API_PATH,
                    "REST path starting with /repos/{owner}/{repo}, without query string"),
                    new Param.StrMap("query", "Query parameters, e.g. {\"per_page\": 50}", 20))
            .target(args -> ApiRoutes.target(args.text("path"), args.strings("query")))),

    // ---- writes ------------------------------------------------------------------------------

    /** Opens an issue. */
    CREATE_ISSUE(write("create_issue", Tier.WRITE).title("Create issue").description(
            "Open an issue in a repository.")
            .permission("issues", "write")
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.text("title", true, 256, "Issue title"),
                    Param.Str.content("body", false, 65_536, "Issue body (Markdown)"),
                    new Param.Arr("labels", "Label names to apply", false,
                            Param.Str.text("label", true, 50, "Label name"), 0, 20))
            .target(args -> args.repository().labels(args.texts("labels")).build())),

    /** Comments on an issue's (or a pull request's) conversation. */
    COMMENT_ON_ISSUE(write("comment_on_issue", Tier.WRITE).title("Comment on issue")
            .description("Add a comment to an issue's conversation.")
            .permission("issues", "write")
            .params(OWNER_PARAM, REPO_PARAM, issueNumber(),
                    Param.Str.content("body", true, 65_536, "Comment text (Markdown)"))
            .target(args -> args.repository().number(NumberKind.ISSUE_OR_PULL_REQUEST, args
                    .number("issue_number")).build())),

    /** Changes an issue's title, body, state, labels or assignees. */
    UPDATE_ISSUE(write("update_issue", Tier.WRITE).title("Update issue").description(
            "Change an issue's title, body, state, labels or assignees; what is not given stays "
                    + "as it is. Labels and assignees given replace the current ones.")
            .permission("issues", "write")
            .params(OWNER_PARAM, REPO_PARAM, issueNumber(),
                    Param.Str.text("title", false, 256, "New title"),
                    Param.Str.content("body", false, 65_536, "New body (Markdown)"),
                    Param.Str.oneOf("state", List.of("open", "closed"), null, "New state"),
                    new Param.Arr("labels", "The labels it should have", false,
                            Param.Str.text("label", true, 50, "Label name"), 0, 20),
                    new Param.Arr("assignees", "The users it should be assigned to", false,
                            Param.Str.required("assignee", OWNER, "A user login"), 0, 10))
            .target(args -> args.repository().number(NumberKind.ISSUE_OR_PULL_REQUEST, args
                    .number("issue_number")).labels(args.texts("labels")).build())),

    /** Opens a pull request, a draft unless the policy lets the agent say otherwise. */
    CREATE_PR(write("create_pr", Tier.CREATE_DRAFT).title("Create pull request").description(
            "Open a pull request from head into base; a draft unless draft is false. From a "
                    + "fork: head is fork-owner:branch (and head_repo the fork's name when it "
                    + "differs from this repository's); the policy must grant the fork too.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.text("title", true, 256, "Pull request title"),
                    Param.Str.required("head", PULL_REQUEST_HEAD,
                            "Branch with the changes, or fork-owner:branch from a fork"),
                    Param.Str.optional("head_repo", Param.Format.REPO,
                            "The head branch's repository name when it is not this repository's "
                                    + "name (a fork renamed, or another repository of the "
                                    + "same owner)"),
                    Param.Str.required("base", GIT_REF, "Branch to merge into"),
                    Param.Str.content("body", false, 65_536, "Description (Markdown)"),
                    new Param.Bool("draft", "Open as a draft", true))
            .target(args -> args.repository().pullRequest(args.text("base"), head(args), args
                    .flag("draft")).build())),

    /** Comments on a pull request's conversation. */
    CREATE_PULL_REQUEST_COMMENT(write("create_pull_request_comment", Tier.WRITE).title(
            "Comment on pull request").description(
                    "Add a comment to a pull request's conversation.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(),
                    Param.Str.content("body", true, 65_536, "Comment text (Markdown)"))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** Answers a review comment in its thread. */
    REPLY_TO_REVIEW_COMMENT(write("reply_to_review_comment", Tier.WRITE).title(
            "Reply to review comment").description(
                    "Answer a review comment in its thread on the pull request's diff. Reply to "
                            + "the thread's first comment (list_review_comments gives the IDs); "
                            + "GitHub takes no reply to a reply.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(),
                    new Param.Int("comment_id", "The review comment to answer, from "
                            + "list_review_comments", true, 1, Params.MAX_ID, null),
                    Param.Str.content("body", true, 65_536, "Reply text (Markdown)"))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** Asks users for a review of a pull request; asking again for the same users changes nothing. */
    REQUEST_REVIEWERS(write("request_reviewers", Tier.WRITE).title("Request reviewers")
            .description("Ask users for a review of a pull request. Users already asked stay "
                    + "asked; asking again changes nothing.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(),
                    new Param.Arr("reviewers", "The users to ask (logins)", true,
                            Param.Str.required("reviewer", OWNER, "A user login"), 1, 15))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /**
     * Takes a draft pull request out of draft (GitHub offers this in GraphQL only). The write
     * tier: an agent granted create-draft opens drafts, and a human decides when they are ready.
     */
    MARK_READY_FOR_REVIEW(write("mark_ready_for_review", Tier.WRITE).title(
            "Mark ready for review").description(
                    "Take a draft pull request out of draft, so that"
                            + " it asks for review. A pull request that is not a draft is left as it is.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber())
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** Reports a check run on a commit. */
    CREATE_CHECK_RUN(write("create_check_run", Tier.WRITE).title("Create check run")
            .description("Report a check run on a commit (e.g. a review bot's verdict).")
            .permission("checks", "write")
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.text("name", true, 100, "Check name"),
                    Param.Str.required("head_sha", COMMIT_SHA, "Commit to report on"),
                    Param.Str.oneOf("status", List.of("queued", "in_progress", "completed"),
                            "completed", "Check status"),
                    Param.Str.oneOf("conclusion", List.of("success", "failure", "neutral",
                            "cancelled", "skipped", "timed_out", "action_required"), null,
                            "Required when status is completed"),
                    Param.Str.text("title", false, 256, "Output title"),
                    Param.Str.content("summary", false, 65_535, "Output summary (Markdown)"))
            .target(args -> {
                if ("completed".equals(args.text("status")) && args.text("conclusion") == null) {
                    throw new InvalidArgumentException("conclusion",
                            "is required when status is completed");
                }
                return args.repository().build();
            })),

    /** Starts a review a human submits, with line comments. */
    CREATE_PENDING_REVIEW(write("create_pending_review", Tier.PENDING_REVIEW).title(
            "Create pending review").description(
                    "Start a pending (unsubmitted) review on a pull request with line comments; "
                            + "a human submits it.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(),
                    Param.Str.content("body", false, 65_536, "Review summary (Markdown)"),
                    Param.Str.optional("commit_id", COMMIT_SHA,
                            "Commit the comments refer to; default: the head"),
                    new Param.Arr("comments", "Line comments", false,
                            new Param.Obj("comment", "One line comment", true, List.of(
                                    Param.Str.required("path", FILE_PATH,
                                            "File path in the pull request"),
                                    new Param.Int("line", "Line number in the diff", true, 1,
                                            1_000_000, null),
                                    Param.Str.oneOf("side", List.of("LEFT", "RIGHT"), "RIGHT",
                                            "Side of the diff"),
                                    Param.Str.content("body", true, 65_536, "Comment text"))),
                            0, 100))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).paths(args.objects("comments").stream()
                            .map(comment -> comment
                                    .text("path"))
                            .toList())
                    .build())),

    /** Rewrites the summary of a pending review this agent started. */
    UPDATE_PENDING_REVIEW(write("update_pending_review", Tier.PENDING_REVIEW).title(
            "Update pending review").description(
                    "Replace the summary of a pending review this agent started with "
                            + "create_pending_review. Reviews of other agents, and submitted "
                            + "ones, are refused.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(), reviewId(),
                    Param.Str.content("body", true, 65_536, "New review summary (Markdown)"))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** Discards (deletes) a pending review this agent started: a draft no one else has seen. */
    DISCARD_PENDING_REVIEW(write("discard_pending_review", Tier.PENDING_REVIEW).title(
            "Discard pending review").description(
                    "Discard (delete) a pending review this agent started with create_pending_review, "
                            + "with its line comments. Reviews of other agents, and submitted "
                            + "ones, are refused.")
            .permission("pull_requests", "write")
            .destructive()
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(), reviewId())
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /**
     * Submits a pending review this agent started, as a comment or a request for changes; the
     * write tier, because a submitted review speaks for the team. Approving stays a human's act.
     */
    SUBMIT_PENDING_REVIEW(write("submit_pending_review", Tier.WRITE).title(
            "Submit pending review").description(
                    "Submit a pending review this agent started, as COMMENT or REQUEST_CHANGES. "
                            + "Approving is a human's act and is not offered.")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(), reviewId(),
                    Param.Str.oneOf("event", List.of("COMMENT", "REQUEST_CHANGES"), "COMMENT",
                            "How to submit it"),
                    Param.Str.content("body", false, 65_536,
                            "Summary to submit with; default: the pending review's own"))
            .target(args -> args.repository().number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).build())),

    /** Creates an {@code agent-} branch from a ref. */
    CREATE_BRANCH(write("create_branch", Tier.PUSH_NEW_BRANCH).title("Create branch")
            .description("Create a branch named agent-* from a ref (default: the default "
                    + "branch).")
            .permission("contents", "write")
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("branch", AGENT_BRANCH,
                            "New branch name; must start with agent-"),
                    Param.Str.optional("from", GIT_REF,
                            "Branch or tag to start from; default: the default branch"))
            .target(args -> args.repository().writesBranch(args.text("branch")).ref(args.text(
                    "from")).build())),

    /** Commits files to an {@code agent-} branch without git credentials. */
    PUSH_FILES(write("push_files", Tier.PUSH_NEW_BRANCH).title("Push files").description(
            "Commit changes to an agent-* branch in one commit (created or fast-forwarded): "
                    + "write files (text, or binary as base64; executable if asked), delete "
                    + "them, or rename them (previous_path). The gateway performs the push; no "
                    + "git credential is needed.")
            .permission("contents", "write")
            .destructive()
            .params(OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("branch", AGENT_BRANCH,
                            "Branch to commit to; must start with agent-"),
                    Param.Str.text("message", true, 4096, "Commit message"),
                    Params.changedFiles(true))
            .target(args -> args.repository().writesBranch(args.text("branch")).paths(
                    pushedPaths(args)).build())),

    /**
     * Brings an agent's pull request up to date with its base (GitHub's "Update branch": base
     * merged into the head, so the head only moves forward). The head must be the {@code agent-}
     * branch named, in this repository, at the commit named; the base must be the branch named.
     * Both are named so that the policy decides on the branches the merge reaches (the base is
     * read into the head) and the executor checks them against the pull request before it writes:
     * a pull request number alone does not say which branches it joins.
     */
    UPDATE_PULL_REQUEST_BRANCH(write("update_pull_request_branch", Tier.PUSH_NEW_BRANCH).title(
            "Update pull request branch").description(
                    "Bring a pull request's agent-* head branch up to date with its base branch:"
                            + " GitHub merges the base into the head (never a force-push). Name"
                            + " the head branch, the base branch and the head commit you last saw"
                            + " (get_pull_request gives all three); if the head has moved since,"
                            + " or the base is another branch, nothing is changed.")
            .permission("contents", "write")
            .permission("pull_requests", "write")
            .params(OWNER_PARAM, REPO_PARAM, pullNumber(),
                    Param.Str.required("branch", AGENT_BRANCH,
                            "The pull request's head branch, in this repository; must start"
                                    + " with agent-"),
                    Param.Str.required("base", GIT_REF,
                            "The pull request's base branch, merged into the head; the update"
                                    + " is refused if the base is another branch"),
                    Param.Str.required("expected_head_sha", COMMIT_SHA,
                            "The head commit you last saw; the update is refused if the head"
                                    + " is elsewhere"))
            .target(args -> {
                Target.Head head = new Target.Head(args.text("owner"), args.text("repo"), args
                        .text("branch"));
                String base = args.text("base");
                long number = args.number("pull_number");
                return args.repository().writesBranch(head.branch()).number(
                        NumberKind.PULL_REQUEST, number).pullRequest(base, head, null).build();
            })),

    // ---- Forgejo/Gitea -----------------------------------------------------------------------

    /** One file's content (or a directory's listing) on a Forgejo/Gitea server. */
    FORGEJO_GET_FILE(read("forgejo_get_file", Tier.READ).on(Forge.FORGEJO).title(
            "Get file (Forgejo)").description(
                    "The content of one file at a ref (default: the default branch) in a "
                            + "repository on a Forgejo or Gitea server, or a range of its lines "
                            + "(start_line, end_line) when the whole file is too large for one "
                            + "answer.")
            .permission("repository", "read")
            .reveals(Reveals.FILES)
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM, Params.FILE_PATH_PARAM,
                    Params.FILE_REF_PARAM, Params.START_LINE_PARAM, Params.END_LINE_PARAM)
            .target(args -> fileIn(forgejoRepository(args), args))),

    /** Pull requests of a Forgejo/Gitea repository: reveals every pull request. */
    FORGEJO_LIST_PULL_REQUESTS(read("forgejo_list_pull_requests", Tier.READ).on(Forge.FORGEJO)
            .title("List pull requests (Forgejo)").description(
                    "Pull requests of a repository on a Forgejo or Gitea server, newest first, "
                            + "one page at a time.")
            .permission("repository", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM,
                    Param.Str.oneOf("state", List.of("open", "closed", "all"), "open",
                            "Which pull requests to list"),
                    perPage(), page())
            .target(args -> forgejoRepository(args).everyNumber(NumberKind.PULL_REQUEST,
                    "it lists the repository's pull requests").build())),

    /** Issues of a Forgejo/Gitea repository (not its pull requests): reveals every issue. */
    FORGEJO_LIST_ISSUES(read("forgejo_list_issues", Tier.READ).on(Forge.FORGEJO).title(
            "List issues (Forgejo)").description(
                    "Issues of a repository on a Forgejo or Gitea server (pull requests are "
                            + "listed with forgejo_list_pull_requests), newest first, one page "
                            + "at a time.")
            .permission("issue", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM,
                    Param.Str.oneOf("state", List.of("open", "closed", "all"), "open",
                            "Which issues to list"),
                    perPage(), page())
            .target(args -> forgejoRepository(args).everyNumber(NumberKind.ISSUE,
                    "it lists the repository's issues").build())),

    /** Read-only passthrough under one Forgejo/Gitea repository: it can reveal anything. */
    FORGEJO_API_GET(read("forgejo_api_get", Tier.READ).on(Forge.FORGEJO).title(
            "Forgejo REST GET").description(
                    "Read-only passthrough: GET a Forgejo/Gitea REST path (API v1) under "
                            + "/repos/{owner}/{repo} the agent may read, e.g. "
                            + "/repos/octo/hello/issues/1/comments. Settings, hooks, keys, "
                            + "secrets and collaborators are not readable.")
            .permission("repository", "read").permission("issue", "read")
            .reveals(Reveals.values())
            .params(FORGEJO_HOST_PARAM, Param.Str.required("path", Param.Format.FORGEJO_API_PATH,
                    "REST path starting with /repos/{owner}/{repo}, without query string"),
                    new Param.StrMap("query", "Query parameters, e.g. {\"limit\": 50}", 20))
            .target(args -> ForgejoRoutes.target(args.text("host"), args.text("path"),
                    args.strings("query")))),

    /** Commits files to an {@code agent-} branch of a Forgejo/Gitea repository. */
    FORGEJO_PUSH_FILES(write("forgejo_push_files", Tier.PUSH_NEW_BRANCH).on(Forge.FORGEJO)
            .title("Push files (Forgejo)").description(
                    "Commit changes to an agent-* branch of a repository on a Forgejo or Gitea "
                            + "server in one commit: the branch is created from 'from' (default:"
                            + " the default branch) if it does not exist. Write files (text, or "
                            + "binary as base64), delete them, or rename them (previous_path). "
                            + "The gateway performs the push; no git credential is needed.")
            .permission("repository", "write")
            .destructive()
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM,
                    Param.Str.required("branch", AGENT_BRANCH,
                            "Branch to commit to; must start with agent-"),
                    Param.Str.optional("from", GIT_REF,
                            "Branch to start a new branch from; default: the default branch"),
                    Param.Str.text("message", true, 4096, "Commit message"),
                    Params.changedFiles(false))
            .target(args -> forgejoRepository(args).writesBranch(args.text("branch")).ref(args
                    .text("from")).paths(pushedPaths(args)).build())),

    /** Opens a pull request on a Forgejo/Gitea server; a draft (a "WIP:" title) by default. */
    FORGEJO_CREATE_PR(write("forgejo_create_pr", Tier.CREATE_DRAFT).on(Forge.FORGEJO).title(
            "Create pull request (Forgejo)").description(
                    "Open a pull request from a branch of the same repository into base on a "
                            + "Forgejo or Gitea server; a draft unless draft is false (Forgejo "
                            + "marks a draft by a \"WIP: \" title prefix, which the gateway "
                            + "adds).")
            .permission("repository", "write")
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM,
                    Param.Str.text("title", true, 255, "Pull request title"),
                    Param.Str.required("head", GIT_REF, "Branch with the changes, in this "
                            + "repository"),
                    Param.Str.required("base", GIT_REF, "Branch to merge into"),
                    Param.Str.content("body", false, 65_536, "Description (Markdown)"),
                    new Param.Bool("draft", "Open as a draft", true))
            .target(args -> forgejoRepository(args).pullRequest(args.text("base"),
                    new Target.Head(args.text("owner"), args.text("repo"), args.text("head")),
                    args.flag("draft")).build())),

    /** Starts a pending review on a Forgejo/Gitea pull request; a human submits it. */
    FORGEJO_CREATE_PENDING_REVIEW(write("forgejo_create_pending_review", Tier.PENDING_REVIEW)
            .on(Forge.FORGEJO).title("Create pending review (Forgejo)").description(
                    "Start a pending (unsubmitted) review on a pull request on a Forgejo or "
                            + "Gitea server, with line comments; a human submits it.")
            .permission("repository", "write")
            .params(FORGEJO_HOST_PARAM, FORGEJO_OWNER_PARAM, REPO_PARAM, pullNumber(),
                    Param.Str.content("body", false, 65_536, "Review summary (Markdown)"),
                    new Param.Arr("comments", "Line comments", false,
                            new Param.Obj("comment", "One line comment", true, List.of(
                                    Param.Str.required("path", FILE_PATH,
                                            "File path in the pull request"),
                                    new Param.Int("line", "Line number in the new version of "
                                            + "the file", true, 1, 1_000_000, null),
                                    Param.Str.content("body", true, 65_536, "Comment text"))),
                            0, 100))
            .target(args -> forgejoRepository(args).number(NumberKind.PULL_REQUEST, args.number(
                    "pull_number")).paths(args.objects("comments").stream()
                            .map(comment -> comment
                                    .text("path"))
                            .toList())
                    .build())),

    // ---- GitLab ------------------------------------------------------------------------------

    /** One file's content at a ref in a GitLab project. */
    GITLAB_GET_FILE(read("gitlab_get_file", Tier.READ).on(Forge.GITLAB).title(
            "Get file (GitLab)").description(
                    "The content of one file at a ref (default: the default branch) in a GitLab "
                            + "project, or a range of its lines (start_line, end_line) when the "
                            + "whole file is too large for one answer.")
            .permission("api", "read")
            .reveals(Reveals.FILES)
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM, Params.FILE_PATH_PARAM,
                    Params.FILE_REF_PARAM, Params.START_LINE_PARAM, Params.END_LINE_PARAM)
            .target(args -> fileIn(gitlabProject(args), args))),

    /** Merge requests of a GitLab project: reveals every merge request. */
    GITLAB_LIST_MERGE_REQUESTS(read("gitlab_list_merge_requests", Tier.READ).on(Forge.GITLAB)
            .title("List merge requests (GitLab)").description(
                    "Merge requests of a GitLab project, newest first, one page at a time.")
            .permission("api", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    Param.Str.oneOf("state", List.of("opened", "closed", "merged", "all"),
                            "opened", "Which merge requests to list"),
                    perPage(), page())
            .target(args -> gitlabProject(args).everyNumber(NumberKind.PULL_REQUEST,
                    "it lists the project's merge requests").build())),

    /** Issues of a GitLab project: reveals every issue. */
    GITLAB_LIST_ISSUES(read("gitlab_list_issues", Tier.READ).on(Forge.GITLAB).title(
            "List issues (GitLab)").description(
                    "Issues of a GitLab project, newest first, one page at a time.")
            .permission("api", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    Param.Str.oneOf("state", List.of("opened", "closed", "all"), "opened",
                            "Which issues to list"),
                    perPage(), page())
            .target(args -> gitlabProject(args).everyNumber(NumberKind.ISSUE,
                    "it lists the project's issues").build())),

    /** Read-only passthrough under one GitLab project: it can reveal anything. */
    GITLAB_API_GET(read("gitlab_api_get", Tier.READ).on(Forge.GITLAB).title("GitLab REST GET")
            .description("Read-only passthrough: GET a route of GitLab's REST API (v4) under one"
                    + " project the agent may read, e.g. route merge_requests/3/notes. Members,"
                    + " hooks, variables, keys and tokens are not readable; read files with "
                    + "gitlab_get_file.")
            .permission("api", "read")
            .reveals(Reveals.values())
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    Param.Str.optional("route", Param.Format.GITLAB_ROUTE,
                            "The route under the project, e.g. merge_requests/3/notes; none:"
                                    + " the project itself"),
                    new Param.StrMap("query", "Query parameters, e.g. {\"per_page\": 50}", 20))
            .target(args -> GitLabRoutes.target(gitlabProject(args), args.text("route"),
                    args.strings("query")))),

    /** Commits files to an {@code agent-} branch of a GitLab project. */
    GITLAB_PUSH_FILES(write("gitlab_push_files", Tier.PUSH_NEW_BRANCH).on(Forge.GITLAB).title(
            "Push files (GitLab)").description(
                    "Commit changes to an agent-* branch of a GitLab project in one commit: the "
                            + "branch is created from 'from' (default: the default branch) if it "
                            + "does not exist. Write files (text, or binary as base64), delete "
                            + "them, or move them (previous_path). The gateway performs the push;"
                            + " no git credential is needed.")
            .permission("api", "write")
            .destructive()
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    Param.Str.required("branch", AGENT_BRANCH,
                            "Branch to commit to; must start with agent-"),
                    Param.Str.optional("from", GIT_REF,
                            "Branch to start a new branch from; default: the default branch"),
                    Param.Str.text("message", true, 4096, "Commit message"),
                    Params.changedFiles(false))
            .target(args -> gitlabProject(args).writesBranch(args.text("branch")).ref(args.text(
                    "from")).paths(pushedPaths(args)).build())),

    /** Opens a merge request in a GitLab project; a draft by default. */
    GITLAB_CREATE_MR(write("gitlab_create_mr", Tier.CREATE_DRAFT).on(Forge.GITLAB).title(
            "Create merge request (GitLab)").description(
                    "Open a merge request from a branch of the same project into target_branch;"
                            + " a draft unless draft is false (GitLab marks a draft by a "
                            + "\"Draft: \" title prefix, which the gateway adds).")
            .permission("api", "write")
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    Param.Str.text("title", true, 255, "Merge request title"),
                    Param.Str.required("source_branch", GIT_REF,
                            "Branch with the changes, in this project"),
                    Param.Str.required("target_branch", GIT_REF, "Branch to merge into"),
                    Param.Str.content("description", false, 65_536, "Description (Markdown)"),
                    new Param.Bool("draft", "Open as a draft", true))
            .target(args -> gitlabProject(args).pullRequest(args.text("target_branch"),
                    new Target.Head(gitlabNamespace(args), gitlabName(args), args.text(
                            "source_branch")),
                    args.flag("draft")).build())),

    /** Approves a merge request in a GitLab project, as service-gator's approve tier offers. */
    GITLAB_APPROVE_MR(write("gitlab_approve_mr", Tier.APPROVE).on(Forge.GITLAB).title(
            "Approve merge request (GitLab)").description(
                    "Approve a merge request as the gateway's GitLab user. Approving again is "
                            + "answered already_approved; GitLab's own rules (who may approve, "
                            + "whether an author may) still apply.")
            .permission("api", "write")
            .params(GITLAB_HOST_PARAM, GITLAB_PROJECT_PARAM,
                    new Param.Int("merge_request_iid", "The merge request's number in the "
                            + "project (its iid, !N)", true, 1, Integer.MAX_VALUE, null))
            .target(args -> gitlabProject(args).number(NumberKind.PULL_REQUEST, args.number(
                    "merge_request_iid")).build())),

    // ---- JIRA -------------------------------------------------------------------------------

    /** Searches one JIRA project's issues with JQL the gateway keeps inside that project. */
    JIRA_SEARCH(read("jira_search", Tier.READ).on(Forge.JIRA).title("Search issues (JIRA)")
            .description("Search the issues of one JIRA project with JQL conditions, e.g. "
                    + "status = \"In Progress\" AND labels = backend ORDER BY updated DESC. The "
                    + "gateway adds project = PROJECT AND ( ... ): a query cannot reach another "
                    + "project. One page at a time: pass next_page from the answer for the next.")
            .permission("jira-work", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(JIRA_PROJECT_PARAM,
                    Param.Str.optional("jql", Param.Format.JQL, "JQL conditions and an optional"
                            + " ORDER BY; none: every issue of the project, newest first"),
                    new Param.Int("max_results", "Issues per page", false, 1, 100, 50L),
                    Param.Str.text("next_page", false, 1024, "The next_page an earlier answer"
                            + " gave"))
            .target(args -> Target.inJiraProject(args.text("project")).everyNumber(
                    NumberKind.ISSUE, "it searches the project's issues").build())),

    /** One JIRA issue with its comments. */
    JIRA_GET_ISSUE(read("jira_get_issue", Tier.READ).on(Forge.JIRA).title("Get issue (JIRA)")
            .description("One JIRA issue: summary, description, status, type, labels and its "
                    + "latest comments.")
            .permission("jira-work", "read")
            .reveals(Reveals.ISSUES_AND_PULL_REQUESTS)
            .params(JIRA_ISSUE_PARAM)
            .target(args -> jiraIssue(args).build())),

    /** Creates an issue in a JIRA project, as service-gator's create tier offers. */
    JIRA_CREATE_ISSUE(write("jira_create_issue", Tier.CREATE).on(Forge.JIRA).title(
            "Create issue (JIRA)").description(
                    "Create an issue in a JIRA project as the gateway's JIRA user. The issue "
                            + "carries a tollgate-request label naming the call, so a retried "
                            + "call finds it instead of creating a second one.")
            .permission("jira-work", "write")
            .params(JIRA_PROJECT_PARAM,
                    Param.Str.content("summary", true, 255, "One-line summary"),
                    new Param.Str("issue_type", "The issue type's name in the project, e.g. "
                            + "Task, Bug or Story", false, Param.Format.TEXT, 1, 255, null,
                            "Task"),
                    Param.Str.content("description", false, 32_767,
                            "Description (JIRA wiki markup)"),
                    new Param.Arr("labels", "Labels to apply (no spaces)", false, new Param.Str(
                            "label", "Label", true, Param.Format.JIRA_LABEL, 1, 255, null, null),
                            0, 20))
            .target(args -> Target.inJiraProject(args.text("project")).labels(args.texts(
                    "labels")).build())),

    /** Comments on a JIRA issue. */
    JIRA_ADD_COMMENT(write("jira_add_comment", Tier.WRITE).on(Forge.JIRA).title(
            "Comment on issue (JIRA)").description("Add a comment to a JIRA issue.")
            .permission("jira-work", "write")
            .params(JIRA_ISSUE_PARAM,
                    Param.Str.content("body", true, 32_767, "Comment text (JIRA wiki markup)"))
            .target(args -> jiraIssue(args).build())),

    /** Moves a JIRA issue through its workflow. */
    JIRA_TRANSITION_ISSUE(write("jira_transition_issue", Tier.WRITE).on(Forge.JIRA).title(
            "Transition issue (JIRA)").description(
                    "Move a JIRA issue through its workflow by a transition's name (e.g. Done) "
                            + "or ID, as jira_get_issue lists them. An issue already in the "
                            + "transition's status is answered already_done.")
            .permission("jira-work", "write")
            .params(JIRA_ISSUE_PARAM, Param.Str.text("transition", true, 255,
                    "The transition's name or ID"))
            .target(args -> jiraIssue(args).build())),

    // ---- answered by the ingress ------------------------------------------------------------

    /** The final answer of an earlier call; never reaches GitHub. */
    GET_REQUEST_STATUS(local("get_request_status").title("Get request status").description(
            "The final answer of an earlier call that was still pending, by its request ID. "
                    + "Answered by the gateway itself.")
            .params(Param.Str.required("request_id", REQUEST_ID,
                    "The request ID the pending answer gave")));

    /** Largest file content push_files accepts per file (characters). */
    public static final int MAX_FILE_CONTENT = 1_000_000;

    /** Where a tool is answered and whether it changes anything on GitHub. */
    public enum Kind {
        /** Answered by the ingress itself; needs no grant and no token. */
        LOCAL,
        /** Reads GitHub; safe to retry. */
        READ,
        /** Changes GitHub; performed at most once per request ID. */
        WRITE
    }

    private final ToolDefinition definition;

    Tool(ToolDefinition.Builder builder) {
        this.definition = builder.build(this);
    }

    /** Everything about the tool: schema, hints, tier, permissions, target parser. */
    public ToolDefinition definition() {
        return definition;
    }

    /** The MCP tool name agents call. */
    /** A target on the JIRA issue the {@code issue_key} argument names, in its project. */
    static Target.Builder jiraIssue(Args args) {
        String key = args.text("issue_key");
        return Target.inJiraProject(Jql.projectOf(key)).number(NumberKind.ISSUE, Jql.numberOf(
                key));
    }

    /** The namespace of the GitLab project the {@code project} argument names. */
    static String gitlabNamespace(Args args) {
        String project = args.text("project");
        return project.substring(0, project.lastIndexOf('/'));
    }

    /** The name of the GitLab project the {@code project} argument names. */
    static String gitlabName(Args args) {
        String project = args.text("project");
        return project.substring(project.lastIndexOf('/') + 1);
    }

    /** One file's target in {@code where}: its path and ref, the line range checked. */
    static Target fileIn(Target.Builder where, Args args) {
        Long start = args.number("start_line");
        Long end = args.number("end_line");
        if (start != null && end != null && end < start) {
            throw new InvalidArgumentException("end_line", "must not be before start_line ("
                    + start + "), got " + end);
        }
        return where.path(args.text("path")).ref(args.text("ref")).build();
    }

    /**
     * A target on the GitLab project the {@code host} and {@code project} name: its namespace
     * as the owner, its name as the repository.
     */
    static Target.Builder gitlabProject(Args args) {
        return Target.in(gitlabNamespace(args), gitlabName(args)).host(args.text("host"));
    }

    /** A target on the Forgejo/Gitea repository the {@code host}, {@code owner} and {@code repo} name. */
    static Target.Builder forgejoRepository(Args args) {
        return Target.in(args.text("owner"), args.text("repo")).host(args.text("host"));
    }

    /**
     * A pull request's head: {@code branch} in this repository, or {@code owner:branch} in
     * {@code owner}'s repository named {@code head_repo} (default: this repository's name).
     */
    static Target.Head head(Args args) {
        String head = args.text("head");
        String repo = args.text("head_repo") != null ? args.text("head_repo") : args.text("repo");
        int colon = head.indexOf(':');
        if (colon < 0) {
            return new Target.Head(args.text("owner"), repo, head);
        }
        return new Target.Head(head.substring(0, colon), repo, head.substring(colon + 1));
    }

    /**
     * Every path a push changes: each written or deleted path and each rename's previous path
     * (deleted by it), so that a path rule sees a rename out of, or a delete in, a path it
     * protects. Each change is one thing, checked here before any role acts on it: a write with
     * content (base64 that decodes, when so encoded), or a delete with nothing else; a rename
     * names a path other than its own; no path is changed twice in one push, since the outcome
     * would depend on the order GitHub applies the entries in.
     */
    static List<String> pushedPaths(Args args) {
        List<String> paths = new java.util.ArrayList<>();
        List<Args> files = args.objects("files");
        for (int i = 0; i < files.size(); i++) {
            Args file = files.get(i);
            String field = "files[" + i + "]";
            String path = file.text("path");
            String content = file.text("content");
            String previous = file.text("previous_path");
            if (Boolean.TRUE.equals(file.flag("delete"))) {
                if (content != null || previous != null || Boolean.TRUE.equals(file.flag(
                        "executable")) || "base64".equals(file.text("encoding"))) {
                    throw new InvalidArgumentException(field, "deletes " + path + ": give it no"
                            + " content, base64 encoding, executable or previous_path");
                }
            } else if (content == null) {
                throw new InvalidArgumentException(field + ".content", "is required to write "
                        + path + " (or set delete: true to delete it)");
            } else if ("base64".equals(file.text("encoding")) && !isBase64(content)
                    && !WithheldContent.isProof(content)) { // checked before it was withheld
                throw new InvalidArgumentException(field + ".content", "is not valid base64"
                        + " (encoding is base64)");
            }
            if (path.equals(previous)) {
                throw new InvalidArgumentException(field + ".previous_path", "is the path itself:"
                        + " a rename names the path the file had");
            }
            for (String changed : previous == null ? List.of(path) : List.of(path, previous)) {
                if (paths.contains(changed)) {
                    throw new InvalidArgumentException(field, "changes " + changed + " a second"
                            + " time: change each path once per push");
                }
                paths.add(changed);
            }
        }
        return paths;
    }

    private static boolean isBase64(String content) {
        try {
            java.util.Base64.getDecoder().decode(content.replace("\n", "").replace("\r", ""));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public String toolName() {
        return definition.name();
    }

    public Kind kind() {
        return definition.kind();
    }

    /** The tier that grants it; null for local tools. */
    public Tier tier() {
        return definition.tier();
    }

    public boolean isWrite() {
        return kind() == Kind.WRITE;
    }

    /** True unless the ingress answers it itself: it reaches GitHub or another forge. */
    public boolean reachesGitHub() {
        return kind() != Kind.LOCAL;
    }

    /** Where it acts: GitHub, or a Forgejo/Gitea server. */
    public Forge forge() {
        return definition.forge();
    }

    /**
     * The read-only passthrough of {@code forge}: granting or listing it covers every read tool
     * of that forge, since it reads whatever they read. Null for JIRA, which has none.
     */
    public static Tool passthroughOf(Forge forge) {
        return switch (forge) {
            case GITHUB -> GITHUB_API_GET;
            case FORGEJO -> FORGEJO_API_GET;
            case GITLAB -> GITLAB_API_GET;
            case JIRA -> null;
        };
    }

    /** GitHub App permissions (name to read/write) a token for this tool is requested with. */
    public Map<String, String> permissions() {
        return definition.permissions();
    }

    public static Optional<Tool> byToolName(String toolName) {
        return toolName == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(toolName));
    }

    /** Every tool by its MCP name, made once (two tools of one name fail here, at class load). */
    private static final Map<String, Tool> BY_NAME = Arrays.stream(values()).collect(Collectors
            .toUnmodifiableMap(Tool::toolName, Function.identity()));
}
