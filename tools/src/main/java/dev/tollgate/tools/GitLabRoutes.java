package dev.tollgate.tools;

import dev.tollgate.tools.Target.NumberKind;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which REST reads under one GitLab project the passthrough ({@code gitlab_api_get}) may make. A
 * GitLab token cannot be narrowed to one project or one call, so the gateway narrows instead:
 * only the routes that read code, history, merge requests and issues are open; a project's
 * members, hooks, CI/CD variables, deploy keys and access tokens are not readable, whatever the
 * host's token could read. Every open route counts as touching every path, ref and number of the
 * project.
 */
public final class GitLabRoutes {

    /** The first segment of the routes that are open. */
    static final Set<String> OPEN = Set.of("repository", "merge_requests", "issues", "labels",
            "milestones", "releases", "languages");
    /** Under {@code repository}: what is open (not {@code files}: read them with get_file). */
    static final Set<String> REPOSITORY = Set.of("tree", "commits", "branches", "tags",
            "compare", "contributors");

    private GitLabRoutes() {
    }

    /**
     * The target of a passthrough GET of {@code route} (normalized by {@link Names#gitlabRoute};
     * null: the project itself) on the project {@code project} names.
     *
     * @throws InvalidArgumentException when the route is not one agents may read
     */
    public static Target target(Target.Builder project, String route) {
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
        String why = "the passthrough can read any of the project's " + segments[0];
        return project.everyPath(why).everyRef(why).everyNumber(
                NumberKind.ISSUE_OR_PULL_REQUEST, why).build();
    }
}
