package dev.tollgate.decision.policy;

import java.util.List;

/**
 * A named group of grants and deny rules with one mode, covering some agents and environments.
 * A policy file's top level is the rule set {@code default}, covering everyone.
 */
public record RuleSet(String name, Mode mode, NamePattern agents, NamePattern environments,
        List<Grant> grants, List<DenyRule> denies) {

    public RuleSet {
        grants = List.copyOf(grants);
        denies = List.copyOf(denies);
    }

    public static RuleSet enforcing(String name, List<Grant> grants, List<DenyRule> denies) {
        return new RuleSet(name, Mode.ENFORCE, NamePattern.ANY, NamePattern.ANY, grants, denies);
    }

    public RuleSet inMode(Mode newMode) {
        return new RuleSet(name, newMode, agents, environments, grants, denies);
    }

    public RuleSet forAgents(String... names) {
        return new RuleSet(name, mode, NamePattern.of(names), environments, grants, denies);
    }

    public RuleSet inEnvironments(String... names) {
        return new RuleSet(name, mode, agents, NamePattern.of(names), grants, denies);
    }

    /** True if the rule set speaks about this agent in this environment. */
    public boolean covers(String agent, String environment) {
        return agents.matches(agent) && environments.matches(environment);
    }

    public int ruleCount() {
        return grants.size() + denies.size();
    }

    String canonical() {
        StringBuilder out = new StringBuilder("ruleset{name=" + name + ";mode=" + mode.key()
                + ";agents=" + agents + ";environments=" + environments + "\n");
        grants.stream().map(Grant::canonical).sorted()
                .forEach(grant -> out.append(' ').append(grant).append('\n'));
        denies.forEach(deny -> out.append(' ').append(deny.canonical()).append('\n'));
        return out.append('}').toString();
    }
}
