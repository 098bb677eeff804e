package dev.tollgate.tools;

import dev.tollgate.tools.Target.NumberKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The target of a {@code github_api_get} call, parsed from its REST path and query, so that every
 * policy condition applies to the passthrough as it does to the tool made for the same data. The
 * rule for what a path cannot narrow: a read that can reveal file contents without naming their
 * path (trees, blobs, commits and comparisons with patches, review comments with diff hunks)
 * touches every path; one that can reveal an issue or pull request without naming its number
 * (listings, comments and events addressed by their own IDs) touches every number; one addressed
 * by commit SHA or revision syntax touches every ref. A route not in this table touches all three.
 * Archives and logs, which GitHub answers with a download redirect rather than JSON, are refused.
 */
public final class ApiRoutes {

    static final String TREE = "a tree lists every path and leads to every file's blob;"
            + " read files with get_file";
    private static final String BLOB = "a blob is a file's content addressed by SHA, without its"
            + " path; read files with get_file";
    static final String PATCHES = "its answer carries the patch of every file it"
            + " changed; read files with get_file";
    static final String HUNKS = "review comments carry the diff hunks of the lines they"
            + " are on";
    static final String HEAD = "a pull request's changes are on its head branch, which"
            + " the path does not name";
    private static final String README = "GitHub chooses the file; read it by path with get_file";
    private static final String ALL_PULLS = "it lists pull requests; read one by number with"
            + " /pulls/{number}";
    private static final String ALL_ISSUES = "it reveals issues and pull requests without naming"
            + " their numbers; read one by number with /issues/{number}";
    static final String LINKED = "it shows the issues linked to this one (sub-issues, parent,"
            + " dependencies, cross-references) without naming their numbers";
    static final String BY_ID = "it is addressed by its own ID, not by a branch";
    static final String RUNS = "it lists the workflow runs of every branch, with their commits'"
            + " titles; name a branch or head_sha";
    static final String LOGS = "a job's log shows whatever the job printed, file contents"
            + " included (a pushed script can print any file)";
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");
    /** The query parameters that choose which ref or path a route reads. */
    private static final java.util.Set<String> CHOOSING = java.util.Set.of("ref", "sha", "path");

    /**
     * One route: segment patterns, the permissions its GET needs (GitHub's fine-grained
     * permission for the endpoint; empty for every permission the passthrough has) and what a
     * match touches.
     */
    private record Route(List<String> pattern, Map<String, String> needs, Effect effect) {
    }

    /** The repository itself, and lists of names GitHub shows with metadata alone. */
    private static final Map<String, String> METADATA = Map.of("metadata", "read");
    /** Files, trees, blobs, commits, branches, comparisons, releases. */
    private static final Map<String, String> CONTENTS = Map.of("contents", "read");
    /** Pull requests, their files, commits, reviews and review comments. */
    private static final Map<String, String> PULLS = Map.of("pull_requests", "read");
    /**
     * Issues, their comments and events, labels, milestones, assignees: GitHub serves these for
     * an issue with issues: read and for a pull request (an issue by number) with pull_requests:
     * read, and a number may be either.
     */
    private static final Map<String, String> ISSUES = Map.of("issues", "read", "pull_requests",
            "read");
    private static final Map<String, String> CONTENTS_AND_PULLS = Map.of("contents", "read",
            "pull_requests", "read");
    /** Routes not mapped to one permission: every permission the passthrough has. */
    private static final Map<String, String> EVERY = Map.of();

    /** What a matched route touches, given the captured segments and the query. */
    @FunctionalInterface
    private interface Effect {
        void apply(List<String> captured, Map<String, String> query, Target.Builder target);
    }

    /**
     * The routes under {@code /repos/{owner}/{repo}}, most specific first. A pattern segment is a
     * literal (compared ignoring case, as GitHub routes them), {@code {n}} a number,
     * {@code {x}} any one segment, {@code {*}} one or more segments: the rest, or, when literals
     * follow it, every segment before those literals (GitHub's multi-segment parameters, such as
     * the ref of {@code commits/heads/main/status}).
     */
    private static final List<Route> ROUTES = List.of(
            route("", METADATA, (c, q, t) -> {
            }),
            route("contents", CONTENTS, (c, q, t) -> t.ref(q.get("ref"))),
            route("contents/{*}", CONTENTS, (c, q, t) -> t.path(c.get(0)).ref(q.get("ref"))),
            route("readme", CONTENTS, (c, q, t) -> t.everyPath(README).ref(q.get("ref"))),
            route("readme/{*}", CONTENTS, (c, q, t) -> t.everyPath(README).ref(q.get("ref"))),
            route("license", CONTENTS, (c, q, t) -> t.everyPath(README).ref(q.get("ref"))),
            route("tarball", CONTENTS, ApiRoutes::download),
            route("tarball/{*}", CONTENTS, ApiRoutes::download),
            route("zipball", CONTENTS, ApiRoutes::download),
            route("zipball/{*}", CONTENTS, ApiRoutes::download),
            route("git/trees/{x}", CONTENTS, (c, q, t) -> t.ref(c.get(0)).everyPath(TREE)),
            route("git/blobs/{x}", CONTENTS, (c, q, t) -> t.everyPath(BLOB).everyRef(BLOB)),
            route("git/commits/{x}", CONTENTS, (c, q, t) -> t.ref(c.get(0))),
            route("git/tags/{x}", CONTENTS,
                    (c, q, t) -> t.everyRef("a tag object is addressed by SHA")),
            route("git/ref/{*}", CONTENTS, ApiRoutes::namesOnly),
            route("git/refs", CONTENTS, ApiRoutes::namesOnly),
            route("git/refs/{*}", CONTENTS, ApiRoutes::namesOnly),
            route("git/matching-refs/{*}", CONTENTS, ApiRoutes::namesOnly),
            route("branches", CONTENTS, ApiRoutes::namesOnly),
            route("branches/{*}", CONTENTS, (c, q, t) -> branchAndPrefixes(c.get(0), t)),
            route("commits", CONTENTS, (c, q, t) -> t.ref(q.get("sha")).path(q.get("path") == null
                    ? null
                    : Names.filePath("query.path", q.get("path")))),
            // GitHub's {ref} here may span segments (heads/BRANCH, tags/TAG, a/b): only its
            // documented sub-resources end a ref; anything else is the commit at that ref.
            route("commits/{*}/pulls", CONTENTS_AND_PULLS, (c, q, t) -> t.ref(c.get(0))
                    .everyNumber(NumberKind.PULL_REQUEST, ALL_PULLS)),
            route("commits/{*}/status", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}/statuses", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}/check-runs", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}/check-suites", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}/comments", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}/branches-where-head", EVERY, (c, q, t) -> t.ref(c.get(0))),
            route("commits/{*}", CONTENTS, (c, q, t) -> t.ref(c.get(0)).everyPath(PATCHES)),
            route("compare/{x}", CONTENTS, (c, q, t) -> compare(c.get(0), t)),
            route("pulls", PULLS, (c, q, t) -> t.everyNumber(NumberKind.PULL_REQUEST, ALL_PULLS)),
            route("pulls/comments", PULLS, (c, q, t) -> t.everyNumber(NumberKind.PULL_REQUEST,
                    ALL_ISSUES).everyPath(HUNKS).everyRef(HEAD)),
            route("pulls/comments/{*}", PULLS, (c, q, t) -> t.everyNumber(NumberKind.PULL_REQUEST,
                    ALL_ISSUES).everyPath(HUNKS).everyRef(HEAD)),
            route("pulls/{n}", PULLS, (c, q, t) -> pull(c, t)),
            route("pulls/{n}/files", PULLS,
                    (c, q, t) -> pull(c, t).everyPath(PATCHES).everyRef(HEAD)),
            route("pulls/{n}/commits", PULLS, (c, q, t) -> pull(c, t).everyRef(HEAD)),
            route("pulls/{n}/comments", PULLS,
                    (c, q, t) -> pull(c, t).everyPath(HUNKS).everyRef(HEAD)),
            route("pulls/{n}/comments/{*}", PULLS,
                    (c, q, t) -> pull(c, t).everyPath(HUNKS).everyRef(
                            HEAD)),
            route("pulls/{n}/reviews/{x}/comments", PULLS, (c, q, t) -> pull(c, t).everyPath(HUNKS)
                    .everyRef(HEAD)),
            route("pulls/{n}/{*}", PULLS, (c, q, t) -> pull(c, t)),
            route("issues", ISSUES, (c, q, t) -> t.everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST,
                    ALL_ISSUES)),
            route("issues/comments", ISSUES, ApiRoutes::allIssues),
            route("issues/comments/{*}", ISSUES, ApiRoutes::allIssues),
            route("issues/events", ISSUES, ApiRoutes::allIssues),
            route("issues/events/{*}", ISSUES, ApiRoutes::allIssues),
            route("issues/{n}", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/comments", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/events", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/labels", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/reactions", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/assignees/{x}", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/issue-field-values", ISSUES, (c, q, t) -> issue(c, t)),
            route("issues/{n}/timeline", ISSUES, (c, q, t) -> issue(c, t).everyPath(HUNKS)
                    .everyRef(HEAD).everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST, LINKED)),
            route("issues/{n}/sub_issues", ISSUES, (c, q, t) -> issue(c, t).everyNumber(
                    NumberKind.ISSUE_OR_PULL_REQUEST, LINKED)),
            route("issues/{n}/parent", ISSUES, (c, q, t) -> issue(c, t).everyNumber(
                    NumberKind.ISSUE_OR_PULL_REQUEST, LINKED)),
            route("issues/{n}/dependencies/{x}", ISSUES, (c, q, t) -> issue(c, t).everyNumber(
                    NumberKind.ISSUE_OR_PULL_REQUEST, LINKED)),
            route("labels", ISSUES, ApiRoutes::namesOnly),
            route("labels/{*}", ISSUES, ApiRoutes::namesOnly),
            route("milestones", ISSUES, ApiRoutes::namesOnly),
            route("milestones/{*}", ISSUES, ApiRoutes::namesOnly),
            route("tags", METADATA, ApiRoutes::namesOnly),
            route("releases", CONTENTS, ApiRoutes::namesOnly),
            route("releases/{*}", CONTENTS, ApiRoutes::namesOnly),
            route("languages", METADATA, ApiRoutes::namesOnly),
            route("topics", METADATA, ApiRoutes::namesOnly),
            route("contributors", METADATA, ApiRoutes::namesOnly),
            route("forks", METADATA, ApiRoutes::namesOnly),
            route("stargazers", METADATA, ApiRoutes::namesOnly),
            route("subscribers", METADATA, ApiRoutes::namesOnly),
            route("assignees", ISSUES, ApiRoutes::namesOnly),
            route("assignees/{x}", ISSUES, ApiRoutes::namesOnly),
            route("check-runs/{*}", EVERY, (c, q, t) -> t.everyRef(BY_ID)),
            route("check-suites/{*}", EVERY, (c, q, t) -> t.everyRef(BY_ID)),
            route("events", EVERY, (c, q, t) -> t.everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST,
                    ALL_ISSUES).everyRef("push events carry commits of every branch").everyPath(
                            HUNKS)));

    private ApiRoutes() {
    }

    /**
     * The target of a GET of {@code path} (normalized by {@link Names#apiPath}) with
     * {@code query}.
     *
     * @throws InvalidArgumentException for routes the passthrough refuses
     */
    public static Target target(String path, Map<String, String> query) {
        for (String key : query.keySet()) {
            int bracket = key.indexOf('[');
            String name = (bracket < 0 ? key : key.substring(0, bracket)).toLowerCase(Locale.ROOT);
            if (CHOOSING.contains(name) && !key.equals(name)) {
                // ref[]=x is the array ["x"] to GitHub's parameter parser: what it does with it
                // is not the target's to guess
                throw new InvalidArgumentException("query." + key, "is another spelling of '"
                        + name + "', which chooses what the read reaches: pass it as '" + name
                        + "' with one value");
            }
        }
        String[] segments = path.substring(1).split("/", -1);
        Target.Builder target = Target.in(segments[1], segments[2]);
        List<String> rest = Arrays.asList(segments).subList(3, segments.length);
        if (rest.size() >= 2 && rest.get(0).equalsIgnoreCase("actions") && (last(rest).equals(
                "logs") || last(rest).equals("zip"))) {
            download(List.of(), query, target);
        }
        for (Route route : ROUTES) {
            List<String> captured = match(route.pattern(), rest);
            if (captured != null) {
                route.effect().apply(captured, query, target);
                return target.build();
            }
        }
        String route = "/" + String.join("/", rest);
        String why = "github_api_get does not know what " + route + " reveals";
        return target.everyPath(why).everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST, why)
                .everyRef(why).ref(query.get("ref")).build();
    }

    private static Route route(String pattern, Map<String, String> needs, Effect effect) {
        return new Route(pattern.isEmpty() ? List.of() : List.of(pattern.split("/")), needs,
                effect);
    }

    /**
     * The permissions a GET of {@code path} (normalized by {@link Names#apiPath}) needs, for its
     * token to carry no more: e.g. issues (and pull requests, which are issues by number) for
     * {@code /repos/o/r/issues}, contents for {@code /repos/o/r/contents/x}. Empty for a route
     * without one mapped permission: then the token has all the passthrough's.
     */
    public static Map<String, String> permissions(String path) {
        String[] segments = path.substring(1).split("/", -1);
        List<String> rest = Arrays.asList(segments).subList(3, segments.length);
        for (Route route : ROUTES) {
            if (match(route.pattern(), rest) != null) {
                return route.needs();
            }
        }
        return EVERY;
    }

    /** The captured segments ({@code {*}} joined with '/'), or null when it does not match. */
    private static List<String> match(List<String> pattern, List<String> segments) {
        List<String> captured = new ArrayList<>();
        int i = 0;
        for (String part : pattern) {
            if (part.equals("{*}")) {
                int end = segments.size() - (pattern.size() - pattern.indexOf(part) - 1);
                if (end <= i) {
                    return null;
                }
                captured.add(String.join("/", segments.subList(i, end)));
                i = end;
                continue;
            }
            if (i >= segments.size()) {
                return null;
            }
            String segment = segments.get(i++);
            switch (part) {
                case "{n}" -> {
                    if (!NUMBER.matcher(segment).matches()) {
                        return null;
                    }
                    captured.add(segment);
                }
                case "{x}" -> captured.add(segment);
                default -> {
                    if (!part.equalsIgnoreCase(segment)) {
                        return null;
                    }
                }
            }
        }
        return i == segments.size() ? captured : null;
    }

    private static String last(List<String> segments) {
        return segments.get(segments.size() - 1).toLowerCase(Locale.ROOT);
    }

    private static void download(List<String> captured, Map<String, String> query,
            Target.Builder target) {
        throw new InvalidArgumentException("path", "names a download (an archive, a log or an"
                + " artifact), which GitHub answers with a redirect to a signed URL, not JSON:"
                + " github_api_get does not follow it; read files with get_file");
    }

    /** Names and SHAs (branches, refs, labels, releases): no file content, no issue content. */
    private static void namesOnly(List<String> captured, Map<String, String> query,
            Target.Builder target) {
        target.ref(query.get("ref"));
    }

    private static void allIssues(List<String> captured, Map<String, String> query,
            Target.Builder target) {
        target.everyNumber(NumberKind.ISSUE_OR_PULL_REQUEST, ALL_ISSUES);
    }

    private static Target.Builder pull(List<String> captured, Target.Builder target) {
        return target.number(NumberKind.PULL_REQUEST, Long.parseLong(captured.get(0)));
    }

    private static Target.Builder issue(List<String> captured, Target.Builder target) {
        return target.number(NumberKind.ISSUE_OR_PULL_REQUEST, Long.parseLong(captured.get(0)));
    }

    /**
     * A branch read by name: {@code branches/a/b/protection} may be branch {@code a/b} or
     * {@code a/b/protection} (GitHub's own ambiguity), so every prefix is named; a condition on
     * branches then holds for all of them.
     */
    private static void branchAndPrefixes(String rest, Target.Builder target) {
        String[] parts = rest.split("/");
        StringBuilder prefix = new StringBuilder();
        for (String part : parts) {
            prefix.append(prefix.isEmpty() ? "" : "/").append(part);
            target.ref(prefix.toString());
        }
    }

    /**
     * {@code base...head} (or {@code base..head}): both refs are read, and the patches of every
     * changed file. A side in another repository ({@code owner:branch}) reaches a fork's branches.
     */
    private static void compare(String basehead, Target.Builder target) {
        int three = basehead.indexOf("...");
        int two = basehead.indexOf("..");
        int at = three >= 0 ? three : two;
        List<String> sides = at < 0
                ? List.of(basehead)
                : List.of(basehead.substring(0, at), basehead.substring(at + (three >= 0
                        ? 3
                        : 2)));
        for (String side : sides) {
            int colon = side.lastIndexOf(':');
            if (colon >= 0) {
                target.everyRef("'" + side + "' names a branch of another repository");
                side = side.substring(colon + 1);
            }
            if (!side.isEmpty()) {
                target.ref(side);
            }
        }
        target.everyPath(PATCHES);
    }
}
