package dev.tollgate.tools;

import static dev.tollgate.tools.Param.Format.OWNER;
import static dev.tollgate.tools.Param.Format.REPO;

import java.util.ArrayList;
import java.util.List;

/** Arguments several tools share, declared once. */
final class Params {

    static final Param OWNER_PARAM = Param.Str.required("owner", OWNER,
            "Repository owner (user or organization login); compared case-insensitively");
    static final Param REPO_PARAM = Param.Str.required("repo", REPO,
            "Repository name without .git; compared case-insensitively");

    /** The Forgejo/Gitea server a Forgejo tool acts on. */
    static final Param FORGEJO_HOST_PARAM = Param.Str.required("host", Param.Format.HOST,
            "The Forgejo or Gitea server's host, as the policy names it, e.g. codeberg.org");
    static final Param FORGEJO_OWNER_PARAM = Param.Str.required("owner",
            Param.Format.FORGEJO_OWNER,
            "Repository owner (user or organization name); compared case-insensitively");

    /** The GitLab instance a GitLab tool acts on. */
    static final Param GITLAB_HOST_PARAM = new Param.Str("host",
            "The GitLab instance's host, as the policy names it; default: gitlab.com", false,
            Param.Format.HOST, 1, 253, null, "gitlab.com");
    static final Param GITLAB_PROJECT_PARAM = Param.Str.required("project",
            Param.Format.GITLAB_PROJECT,
            "The project's full path, e.g. group/subgroup/project; compared case-insensitively");

    /** The JIRA project a JIRA tool acts on. */
    static final Param JIRA_PROJECT_PARAM = Param.Str.required("project",
            Param.Format.JIRA_PROJECT, "The JIRA project's key, e.g. PROJ");
    /** The JIRA issue a JIRA tool acts on. */
    static final Param JIRA_ISSUE_PARAM = Param.Str.required("issue_key",
            Param.Format.JIRA_ISSUE_KEY, "The issue's key, e.g. PROJ-123");

    /** The file a get_file reads. */
    static final Param FILE_PATH_PARAM = Param.Str.required("path", Param.Format.FILE_PATH,
            "File path relative to the repository root, e.g. src/main.c");
    static final Param FILE_REF_PARAM = Param.Str.optional("ref", Param.Format.GIT_REF,
            "Branch or tag name; default: the default branch");
    static final Param START_LINE_PARAM = new Param.Int("start_line",
            "First line to return, from 1 (text files); default: 1", false, 1, 100_000_000,
            null);
    static final Param END_LINE_PARAM = new Param.Int("end_line",
            "Last line to return, inclusive (text files); default: the last line", false, 1,
            100_000_000, null);

    /**
     * The changes of a push, one per path ({@code Tool.pushedPaths} checks each): with
     * {@code executable} where the forge keeps file modes (GitHub).
     */
    static Param changedFiles(boolean executable) {
        List<Param> fields = new ArrayList<>(List.of(
                Param.Str.required("path", Param.Format.FILE_PATH,
                        "File path relative to the repository root"),
                Param.Str.content("content", false, Tool.MAX_FILE_CONTENT,
                        "Full new content; required unless delete is true"),
                Param.Str.oneOf("encoding", List.of("utf-8", "base64"), "utf-8",
                        "How content is given: UTF-8 text, or base64 for binary files")));
        if (executable) {
            fields.add(new Param.Bool("executable", "Mark the file executable (mode 100755)",
                    false));
        }
        fields.add(new Param.Bool("delete", "Delete the file instead of writing it", false));
        fields.add(Param.Str.optional("previous_path", Param.Format.FILE_PATH,
                "Rename: the path the file had, deleted in the same commit"));
        return new Param.Arr("files", "Changes, one per path", true, new Param.Obj("file",
                "One change", true, fields), 1, 100);
    }

    private Params() {
    }

    static Param pullNumber() {
        return new Param.Int("pull_number", "Pull request number", true, 1, Integer.MAX_VALUE,
                null);
    }

    static Param issueNumber() {
        return new Param.Int("issue_number", "Issue (or pull request) number", true, 1,
                Integer.MAX_VALUE, null);
    }

    /** The largest ID a JSON number carries exactly (2^53 - 1): GitHub's run and job IDs. */
    static final long MAX_ID = 9_007_199_254_740_991L;

    static Param runId() {
        return new Param.Int("run_id", "Workflow run ID, from list_workflow_runs", true, 1, MAX_ID,
                null);
    }

    static Param reviewId() {
        return new Param.Int("review_id", "Review ID, from create_pending_review", true, 1,
                MAX_ID, null);
    }

    static Param perPage() {
        return new Param.Int("per_page", "Results per page", false, 1, 100, 30L);
    }

    static Param page() {
        return new Param.Int("page", "Page number, from 1", false, 1, 1000, 1L);
    }
}
