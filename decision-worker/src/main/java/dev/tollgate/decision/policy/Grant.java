package dev.tollgate.decision.policy;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Permits tiers and individual actions on matching repositories to matching agents in matching
 * environments, under conditions.
 *
 * @param name how the rule is named in traces: its key in the file, or the name it was given
 * @param line the line in the policy file where it starts (0 when not from a file)
 * @param repos the repositories it covers
 * @param agents the agents it covers (empty: all)
 * @param environments the environments it covers (empty: all)
 * @param tiers tiers granted
 * @param actions individual actions granted; an action granted alone has no tier constraint
 * @param conditions argument conditions and narrowing to pull requests or issues
 * @param requireFork pushes are allowed only if the repository is a fork (checked by the executor)
 */
public record Grant(String name, int line, List<RepoPattern> repos, NamePattern agents,
        NamePattern environments, Set<Tier> tiers, Set<Tool> actions,
        Conditions conditions, boolean requireFork) {

    public Grant {
        repos = List.copyOf(repos);
        tiers = tiers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(tiers));
        actions = Set.copyOf(actions);
        if (repos.isEmpty()) {
            throw new IllegalArgumentException("grant " + name + " names no repository");
        }
        Forge forge = repos.get(0).forge();
        if (forge == null || repos.stream().anyMatch(pattern -> pattern.forge() != forge)) {
            throw new IllegalArgumentException("grant " + name + " names repositories of"
                    + " several forges (or none): a grant speaks about one forge");
        }
    }

    /** A grant of tiers on one repository pattern to everyone, as service-gator's files write it. */
    public static Grant of(String repo, Tier... tiers) {
        return new Grant("grant " + repo, 0, List.of(RepoPattern.of(repo)), NamePattern.ANY,
                NamePattern.ANY, Set.of(tiers), Set.of(), Conditions.NONE, false);
    }

    public Grant withActions(Tool... granted) {
        return new Grant(name, line, repos, agents, environments, tiers, Set.of(granted),
                conditions, requireFork);
    }

    public Grant withAgents(String... names) {
        return new Grant(name, line, repos, NamePattern.of(names), environments, tiers, actions,
                conditions, requireFork);
    }

    public Grant withEnvironments(String... names) {
        return new Grant(name, line, repos, agents, NamePattern.of(names), tiers, actions,
                conditions, requireFork);
    }

    public Grant withConditions(Conditions narrowed) {
        return new Grant(name, line, repos, agents, environments, tiers, actions, narrowed,
                requireFork);
    }

    public Grant requiringFork() {
        return new Grant(name, line, repos, agents, environments, tiers, actions, conditions, true);
    }

    public Grant named(String newName) {
        return new Grant(newName, line, repos, agents, environments, tiers, actions, conditions,
                requireFork);
    }

    /**
     * Every action this grant can permit, before conditions. Granting {@code github_api_get}
     * grants every read tool as well: the passthrough reads whatever they read, so a policy that
     * allows it has allowed reading, whichever way the agent asks.
     */
    public Set<Tool> coveredActions() {
        Forge forge = forge();
        Set<Tool> all = EnumSet.noneOf(Tool.class);
        tiers.forEach(tier -> all.addAll(tier.tools()));
        all.addAll(actions);
        if (all.contains(Tool.passthroughOf(forge))) {
            for (Tool tool : Tool.values()) {
                if (tool.kind() == Tool.Kind.READ) {
                    all.add(tool);
                }
            }
        }
        all.removeIf(tool -> tool.forge() != forge);
        return all;
    }

    /**
     * The forge it speaks about (its repositories'): a tier granted on GitHub grants only GitHub's
     * tools, one granted on a Forgejo host only Forgejo's.
     */
    public Forge forge() {
        return repos.get(0).forge();
    }

    /** The most specific of its repository patterns that matches, or -1. */
    int specificityFor(Forge forge, String host, String owner, String repo) {
        return repos.stream().filter(pattern -> pattern.matches(forge, host, owner, repo))
                .mapToInt(RepoPattern::specificity).max().orElse(-1);
    }

    /** What it grants, for reasons: {@code read, create_issue}. */
    String describeGrants() {
        List<String> parts = new java.util.ArrayList<>();
        tiers.stream().sorted().map(Tier::key).forEach(parts::add);
        actions.stream().sorted().map(Tool::toolName).forEach(parts::add);
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    String label() {
        return line > 0 ? name + " (line " + line + ")" : name;
    }

    String canonical() {
        return "grant{name=" + name + ";repos="
                + repos.stream().map(RepoPattern::describe).sorted().toList()
                + ";agents=" + agents + ";environments=" + environments + ";tiers="
                + new TreeSet<>(tiers.stream().map(Tier::key).toList()) + ";actions="
                + new TreeSet<>(actions.stream().map(Tool::toolName).toList()) + ";"
                + conditions.canonical() + ";require-fork=" + requireFork + "}";
    }
}
