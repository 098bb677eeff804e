package dev.tollgate.decision.policy;

import dev.tollgate.tools.Tool;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An explicit denial: beats every grant. It matches a request when the repository, agent,
 * environment and action match and every condition given holds (see {@link Conditions}).
 *
 * @param name how the rule is named in traces
 * @param line the line in the policy file where it starts (0 when not from a file)
 * @param repos repositories it covers (all, on every forge, when it was written without any)
 * @param agents agents it covers (empty: all)
 * @param environments environments it covers (empty: all)
 * @param actions actions it denies (empty: all)
 * @param conditions conditions that must all hold for it to match
 * @param reason what the agent reads when it denies
 */
public record DenyRule(String name, int line, List<RepoPattern> repos, NamePattern agents,
        NamePattern environments, Set<Tool> actions, Conditions conditions,
        String reason) {

    public DenyRule {
        repos = repos.isEmpty() ? List.of(RepoPattern.onEveryForge("*")) : List.copyOf(repos);
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    public static DenyRule of(String name, String reason) {
        return new DenyRule(name, 0, List.of(), NamePattern.ANY, NamePattern.ANY, Set.of(),
                Conditions.NONE, reason);
    }

    public DenyRule onRepos(String... patterns) {
        return new DenyRule(name, line, List.of(patterns).stream().map(RepoPattern::of).toList(),
                agents, environments, actions, conditions, reason);
    }

    public DenyRule forActions(Tool... denied) {
        return new DenyRule(name, line, repos, agents, environments, Set.of(denied), conditions,
                reason);
    }

    public DenyRule forAgents(String... names) {
        return new DenyRule(name, line, repos, NamePattern.of(names), environments, actions,
                conditions, reason);
    }

    public DenyRule inEnvironments(String... names) {
        return new DenyRule(name, line, repos, agents, NamePattern.of(names), actions,
                conditions, reason);
    }

    public DenyRule when(Conditions matching) {
        return new DenyRule(name, line, repos, agents, environments, actions, matching, reason);
    }

    String label() {
        return line > 0 ? name + " (line " + line + ")" : name;
    }

    String canonical() {
        return "deny{name=" + name + ";repos="
                + repos.stream().map(RepoPattern::describe).sorted().toList()
                + ";agents=" + agents + ";environments=" + environments + ";actions="
                + new TreeSet<>(actions.stream().map(Tool::toolName).toList()) + ";"
                + conditions.canonical() + ";reason=" + reason + "}";
    }
}
