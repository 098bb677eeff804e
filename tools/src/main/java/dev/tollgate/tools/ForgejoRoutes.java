package dev.tollgate.tools;

import dev.tollgate.tools.Target.NumberKind;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which REST reads under {@code /repos/{owner}/{repo}} the Forgejo passthrough
 * ({@code forgejo_api_get}) may make, and what each can reveal. A Forgejo token cannot be narrowed
 * to one repository or one call (unlike GitHub's installation tokens), so the gateway narrows
 * instead: only the routes that read code, history, issues and pull requests are open; a
 * repository's settings, hooks, deploy keys, secrets, collaborators and teams are not readable,
 * whatever the host's token could read. Every open route counts as touching every path, ref and
 * number of the repository: a grant or deny rule with conditions decides the passthrough as it
 * would a read of all of it.
 */
public final class ForgejoRoutes {

    /** The first segment after {@code /repos/{owner}/{repo}} of the routes that are open. */
    static final Set<String> OPEN = Set.of("branches", "tags", "commits", "contents", "git",
            "pulls", "issues", "labels", "milestones", "releases", "compare", "languages",
            "topics", "statuses");

    private ForgejoRoutes() {
    }

    /**
     * The target of a passthrough GET of {@code path} (normalized by
     * {@link Names#forgejoApiPath}) with {@code query} on {@code host}.
     *
     * @throws InvalidArgumentException when the route is not one agents may read
     */
    public static Target target(String host, String path, Map<String, String> query) {
        for (String key : query.keySet()) {
            if (key.toLowerCase(Locale.ROOT).startsWith("sudo")) {
                // an administrator's token acts as the user it names: another user's reads
                throw new InvalidArgumentException("query." + key, "names another user, which"
                        + " the passthrough does not act as: it reads as the gateway's user");
            }
        }
        String[] segments = path.substring(1).split("/", -1);
        Target.Builder target = Target.in(segments[1], segments[2]).host(host);
        if (segments.length == 3) {
            return target.build(); // the repository's metadata
        }
        if (!OPEN.contains(segments[3])) {
            throw new InvalidArgumentException("path", "/repos/{owner}/{repo}/" + segments[3]
                    + " is not readable through the gateway: it reads code, history, issues and"
                    + " pull requests only (" + String.join(", ", new java.util.TreeSet<>(OPEN))
                    + ")");
        }
        String why = "the passthrough can read any of the repository's " + segments[3];
        return target.everyPath(why).everyRef(why).everyNumber(
                NumberKind.ISSUE_OR_PULL_REQUEST, why).build();
    }
}
