package dev.tollgate.tools;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one grant of the policy in force lets some agents use, as the ingress needs it to list an
 * agent's tools and to tell it its grants: the tools, on which repositories, for which agents in
 * which environments. The decision worker derives these from its policy and publishes them with
 * every policy load; they never decide a call (the decision worker does, with conditions, deny
 * rules and hard blocks), so they may show a tool a call to which is then denied, never hide one
 * the policy allows.
 *
 * @param name the grant as the policy names it in traces
 * @param agents agent name globs: an agent is covered if, for every list, it matches one of the
 *     list's globs (an empty list matches everyone); one list is the rule set's, one the grant's
 * @param environments the same for environments
 * @param repositories the repository patterns the grant names ({@code owner/repo},
 *     {@code owner/*}); empty for a rule set in monitor mode, which allows anything it would deny
 * @param tools the tools it can allow (every tool with a grant, for a rule set in monitor mode)
 * @param monitor whether it is a rule set in monitor mode rather than a grant
 */
public record ToolGrant(String name, List<List<Glob>> agents, List<List<Glob>> environments,
        List<String> repositories, Set<Tool> tools, boolean monitor) {

    public ToolGrant {
        agents = agents.stream().map(List::copyOf).toList();
        environments = environments.stream().map(List::copyOf).toList();
        repositories = List.copyOf(repositories);
        tools = tools.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(tools));
    }

    /** Whether it speaks about {@code agent} acting in {@code environment}. */
    public boolean covers(String agent, String environment) {
        return matchesAll(agents, agent) && matchesAll(environments, environment);
    }

    private static boolean matchesAll(List<List<Glob>> lists, String name) {
        for (List<Glob> globs : lists) {
            if (!globs.isEmpty() && globs.stream().noneMatch(glob -> glob.matches(name))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the grant may apply to a repository a token is narrowed to ({@code owner/repo} or
     * {@code owner/*}, as token narrowings are written): some repository could match both. It
     * errs towards yes (a grant for {@code octo/app-*} may reach {@code octo/*}); a grant of a rule
     * set in monitor mode reaches everything.
     */
    public boolean reaches(String narrowedRepository) {
        if (monitor) {
            return true;
        }
        int slash = narrowedRepository.indexOf('/');
        String owner = narrowedRepository.substring(0, Math.max(slash, 0));
        String repo = narrowedRepository.substring(slash + 1);
        for (String pattern : repositories) {
            int split = pattern.indexOf('/');
            if (split < 0) {
                return true; // "*": every repository
            }
            boolean ownerMatches = Glob.of(pattern.substring(0, split)).matchesIgnoringCase(
                    owner);
            boolean repoMatches = repo.equals("*") || Glob.of(pattern.substring(split + 1))
                    .matchesIgnoringCase(repo);
            if (ownerMatches && repoMatches) {
                return true;
            }
        }
        return false;
    }

    /**
     * The tools {@code agent} in {@code environment} may find allowed under these grants, with the
     * narrowing its gateway token carries ({@code narrowedTools}, {@code narrowedRepositories};
     * empty: none on that axis): the tools some covering grant that reaches a narrowed repository
     * can allow and the narrowing leaves in, and every tool the ingress answers itself.
     */
    public static Set<Tool> visibleTools(List<ToolGrant> grants, String agent,
            String environment, Set<String> narrowedTools, List<String> narrowedRepositories) {
        Set<Tool> visible = EnumSet.noneOf(Tool.class);
        for (Tool tool : Tool.values()) {
            if (tool.kind() == Tool.Kind.LOCAL) {
                visible.add(tool);
            }
        }
        for (ToolGrant grant : grants) {
            if (grant.covers(agent, environment) && (narrowedRepositories.isEmpty()
                    || narrowedRepositories.stream().anyMatch(grant::reaches))) {
                grant.tools().stream().filter(tool -> narrowingKeeps(narrowedTools, tool))
                        .forEach(visible::add);
            }
        }
        return visible;
    }

    /**
     * The tools a token narrowed to {@code narrowedTools} (empty: not narrowed) may use when the
     * policy's grants are not known: every tool its narrowing leaves, and those the ingress
     * answers itself.
     */
    public static Set<Tool> leftByNarrowing(Set<String> narrowedTools) {
        Set<Tool> left = EnumSet.noneOf(Tool.class);
        for (Tool tool : Tool.values()) {
            if (tool.kind() == Tool.Kind.LOCAL || narrowingKeeps(narrowedTools, tool)) {
                left.add(tool);
            }
        }
        return left;
    }

    /**
     * Whether a token narrowed to {@code narrowedTools} (empty: not narrowed) leaves {@code tool}
     * in. Listing {@code github_api_get} leaves every GitHub read tool in (and
     * {@code forgejo_api_get} every Forgejo one): the passthrough reads whatever they read.
     */
    public static boolean narrowingKeeps(Set<String> narrowedTools, Tool tool) {
        Tool passthrough = Tool.passthroughOf(tool.forge());
        return narrowedTools.isEmpty() || narrowedTools.contains(tool.toolName())
                || (tool.kind() == Tool.Kind.READ && passthrough != null && narrowedTools
                        .contains(passthrough.toolName()));
    }

    /** Tool names, sorted: how an answer shows {@link #tools()}. */
    public List<String> toolNames() {
        return List.copyOf(new TreeSet<>(tools.stream().map(Tool::toolName).toList()));
    }
}
