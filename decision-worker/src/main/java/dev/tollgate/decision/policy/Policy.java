package dev.tollgate.decision.policy;

import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A loaded policy: rule sets plus the extra protected-branch patterns. Immutable and validated: a
 * policy that tries to grant a hard-blocked action cannot be constructed. Its {@link #version()}
 * is the SHA-256 of its canonical form, so the same rules written in TOML, JSON or YAML, with any
 * comments, layout or order of grants, have the same version (the order of deny rules counts: the
 * first matching one's reason is what the agent reads).
 */
public final class Policy {

    private final List<RuleSet> ruleSets;
    private final List<Glob> protectedBranches;
    private final String canonical;
    private final String version;
    private final List<ToolGrant> toolGrants;

    public Policy(List<RuleSet> ruleSets, List<Glob> protectedBranches) {
        this.ruleSets = List.copyOf(ruleSets);
        this.protectedBranches = List.copyOf(protectedBranches);
        List<PolicyProblem> problems = problems(this.ruleSets, this.protectedBranches);
        if (!problems.isEmpty()) {
            throw new InvalidPolicyException(null, problems);
        }
        this.canonical = canonicalText(this.ruleSets, this.protectedBranches);
        this.version = "sha256:" + sha256(canonical);
        this.toolGrants = toolGrants(this.ruleSets);
    }

    /** A policy with no rules: denies everything. */
    public static Policy empty() {
        return new Policy(List.of(), List.of());
    }

    public static Policy of(RuleSet... ruleSets) {
        return new Policy(List.of(ruleSets), List.of());
    }

    public Policy withProtectedBranches(String... patterns) {
        return new Policy(ruleSets, List.of(patterns).stream().map(Glob::of).toList());
    }

    public List<RuleSet> ruleSets() {
        return ruleSets;
    }

    /** Protected-branch patterns beyond the built-in {@code main} and {@code master}. */
    public List<Glob> protectedBranches() {
        return protectedBranches;
    }

    /** {@code sha256:<hex>} of the canonical form. */
    public String version() {
        return version;
    }

    public String canonical() {
        return canonical;
    }

    public int ruleCount() {
        return ruleSets.stream().mapToInt(RuleSet::ruleCount).sum();
    }

    /**
     * What each grant lets whom use, for the ingress to list an agent's tools and grants
     * ({@link ToolGrant}): one entry per grant, under its rule set's agents and environments, and
     * one per rule set in monitor mode, which allows every tool it would deny. Derived once per
     * load.
     */
    public List<ToolGrant> toolGrants() {
        return toolGrants;
    }

    private static List<ToolGrant> toolGrants(List<RuleSet> ruleSets) {
        Set<Tool> grantable = EnumSet.noneOf(Tool.class);
        for (Tool tool : Tool.values()) {
            if (tool.kind() != Tool.Kind.LOCAL) {
                grantable.add(tool);
            }
        }
        List<ToolGrant> grants = new ArrayList<>();
        for (RuleSet ruleSet : ruleSets) {
            String prefix = ruleSet.name().equals("default") ? "" : ruleSet.name() + " / ";
            if (ruleSet.mode() == Mode.MONITOR) {
                grants.add(new ToolGrant("rule set '" + ruleSet.name() + "' (monitor mode)",
                        List.of(ruleSet.agents().globs()), List.of(ruleSet.environments()
                                .globs()),
                        List.of(), grantable, true));
            }
            for (Grant grant : ruleSet.grants()) {
                Set<Tool> tools = EnumSet.noneOf(Tool.class);
                grant.coveredActions().stream().filter(tool -> tool.kind() != Tool.Kind.LOCAL)
                        .forEach(tools::add);
                grants.add(new ToolGrant(prefix + grant.label(), List.of(ruleSet.agents()
                        .globs(), grant.agents().globs()), List.of(
                                ruleSet.environments()
                                        .globs(),
                                grant.environments().globs()),
                        grant.repos().stream()
                                .map(RepoPattern::describe).toList(),
                        tools, false));
            }
        }
        return List.copyOf(grants);
    }

    /**
     * What makes a policy unacceptable: granting a tool that needs no grant, or pushes to a
     * branch that is hard-blocked.
     */
    public static List<PolicyProblem> problems(List<RuleSet> ruleSets,
            List<Glob> protectedBranches) {
        List<PolicyProblem> problems = new ArrayList<>();
        for (RuleSet ruleSet : ruleSets) {
            for (Grant grant : ruleSet.grants()) {
                for (Tool action : grant.actions()) {
                    if (action.kind() == Tool.Kind.LOCAL) {
                        problems.add(new PolicyProblem(grant.line(), grant.name(), "'"
                                + action.toolName()
                                + "' is answered by the ingress and needs no grant; remove it"));
                    }
                }
                boolean pushes = grant.coveredActions().stream()
                        .anyMatch(action -> action.definition().writesBranch());
                if (pushes) {
                    for (Glob branch : grant.conditions().branches()) {
                        if (branch.isLiteral()) {
                            HardBlocks.protectedPattern(branch.pattern(), protectedBranches)
                                    .ifPresent(pattern -> problems.add(new PolicyProblem(grant
                                            .line(), grant.name(),
                                            "grants pushes to branch '"
                                                    + branch.pattern()
                                                    + "', which is protected (" + pattern
                                                    + ") and hard-blocked: no policy can allow"
                                                    + " pushing to a default or protected branch;"
                                                    + " push to an agent- branch and open a pull request")));
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static String canonicalText(List<RuleSet> ruleSets, List<Glob> protectedBranches) {
        StringBuilder out = new StringBuilder("tollgate-policy/1\nprotected-branches=");
        out.append(protectedBranches.stream().map(Glob::pattern).sorted().toList()).append('\n');
        ruleSets.forEach(ruleSet -> out.append(ruleSet.canonical()).append('\n'));
        return out.toString();
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Policy[" + version + ", " + ruleCount() + " rules]";
    }
}
