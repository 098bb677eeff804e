package dev.tollgate.tools;

import dev.tollgate.tools.Target.NumberKind;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which REST reads under one GitLab project the passthrough ({@code gitlab_api_get}) may make. A
 * GitLab token cannot be narrowed to one project or one call, so the gateway narrows instead:
 * only the routes that read code, history, merge requests and issues are open; a project's
 * members, hooks, CI/CD variables, deploy keys and access tokens are not readable, whatever the
 * host's token could read. Every open route counts as touching every path, ref and number of the
 * project. Nothing may reach past the project: not a route whose answer is other projects' issues
 * and merge requests, nor a query parameter that names another project or another user.
 */
public final class GitLabRoutes {

    /** The first segment of the routes that are open. */
    static final Set<String> OPEN = Set.of("repository", "merge_requests", "issues", "labels",
            "milestones", "releases", "languages");
    /** Under {@code repository}: what is open (not {@code files}: read them with get_file). */
    static final Set<String> REPOSITORY = Set.of("tree", "commits", "branches", "tags",
            "compare", "contributors");
    /**
     * Under one issue or merge request ({@code issues/N/...}, {@code merge_requests/N/...}): the
     * routes that answer with the issues and merge requests it links to or mentions, in any
     * project the host's token can read. A description can mention any project
     * ({@code Closes other/secret#5}), and an agent that opens a merge request writes one.
     */
    static final Map<String, Set<String>> ELSEWHERE = Map.of("issues", Set.of("links",
            "closed_by", "related_merge_requests"), "merge_requests",
            Set.of("closes_issues",
                    "related_issues"));

    private GitLabRoutes() {
    }

    /**
     * The target of a passthrough GET of {@code route} (normalized by {@link Names#gitlabRoute};
     * null: the project itself) with {@code query} on the project {@code project} names.
     *
     * @throws InvalidArgumentException when the route or a query parameter is not one agents may
     *     read
     */
    public static Target target(Target.Builder project, String route,
            Map<String, String> query) {
        for (String key : query.keySet()) {
            String name = key.toLowerCase(Locale.ROOT);
            if (name.contains("project") || name.startsWith("sudo")) {
                // compare's from_project_id diffs against another project; sudo acts as
                // another user (an administrator's token): either reaches past the project
                throw new InvalidArgumentException("query." + key, "names another project or"
                        + " user, which the passthrough does not reach: it reads the project"
                        + " the call names, as the gateway's user");
            }
        }
        if (route == null) {
            return project.build();
        }
        String[] segments = route.split("/");
        boolean open = OPEN.contains(segments[0]) && (!segments[0].equals("repository")
                || (segments.length > 1 && REPOSITORY.contains(segments[1])));
        if (!open) {
            throw new InvalidArgumentException("route", route + " is not readable through the"
                    + " gateway: it reads " + new TreeSet<>(OPEN) + " (under repository: "
                    + new TreeSet<>(REPOSITORY) + ")");
        }
        if (segments.length > 2 && ELSEWHERE.getOrDefault(segments[0], Set.of()).contains(
                segments[2])) {
            throw new InvalidArgumentException("route", route + " is not readable through the"
                    + " gateway: it answers with issues and merge requests of other projects"
                    + " too (those linked or mentioned), which the policy did not decide on");
        }
        String why = "the passthrough can read any of the project's " + segments[0];
        return project.everyPath(why).everyRef(why).everyNumber(
                NumberKind.ISSUE_OR_PULL_REQUEST, why).build();
    }
}
