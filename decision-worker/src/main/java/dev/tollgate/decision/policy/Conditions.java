package dev.tollgate.decision.policy;

import dev.tollgate.tools.Glob;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Conditions on a request's arguments. A condition speaks only about the argument it names: a
 * request that does not carry that argument (a read names no branch, create_issue no path) is not
 * constrained by it. On a grant they restrict what it permits; on a deny rule every condition given
 * must hold for the rule to match.
 *
 * @param branches branch globs: on a grant the branch must match one; on a deny, it matches one
 * @param paths path globs: on a grant every path must match one; on a deny, any path matches one
 * @param excludePaths path globs no path may match (grants only)
 * @param labels on a grant every label must be one of these; on a deny, any label is one of these
 * @param pullRequests pull request numbers the grant is narrowed to (empty: not narrowed)
 * @param issues issue numbers the grant is narrowed to (empty: not narrowed)
 */
public record Conditions(List<Glob> branches, List<Glob> paths, List<Glob> excludePaths,
        Set<String> labels, Set<Long> pullRequests, Set<Long> issues) {

    public static final Conditions NONE = new Conditions(List.of(), List.of(), List.of(), Set.of(),
            Set.of(), Set.of());

    public Conditions {
        branches = List.copyOf(branches);
        paths = List.copyOf(paths);
        excludePaths = List.copyOf(excludePaths);
        labels = Set.copyOf(labels);
        pullRequests = Set.copyOf(pullRequests);
        issues = Set.copyOf(issues);
    }

    public boolean isNarrowedToNumbers() {
        return !pullRequests.isEmpty() || !issues.isEmpty();
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public Conditions withBranches(String... globs) {
        return new Conditions(List.of(globs).stream().map(Glob::of).toList(), paths, excludePaths,
                labels, pullRequests, issues);
    }

    public Conditions withPaths(String... globs) {
        return new Conditions(branches, List.of(globs).stream().map(Glob::of).toList(),
                excludePaths, labels, pullRequests, issues);
    }

    public Conditions withExcludePaths(String... globs) {
        return new Conditions(branches, paths, List.of(globs).stream().map(Glob::of).toList(),
                labels, pullRequests, issues);
    }

    public Conditions withLabels(String... names) {
        return new Conditions(branches, paths, excludePaths, Set.of(names), pullRequests, issues);
    }

    public Conditions withPullRequests(Long... numbers) {
        return new Conditions(branches, paths, excludePaths, labels, Set.of(numbers), issues);
    }

    public Conditions withIssues(Long... numbers) {
        return new Conditions(branches, paths, excludePaths, labels, pullRequests,
                Set.of(numbers));
    }

    /** A stable text form for the policy hash and the trace. */
    String canonical() {
        return "branches=" + globs(branches) + ";paths=" + globs(paths) + ";exclude-paths="
                + globs(excludePaths) + ";labels=" + new TreeSet<>(labels) + ";pull-requests="
                + new TreeSet<>(pullRequests) + ";issues=" + new TreeSet<>(issues);
    }

    private static String globs(List<Glob> globs) {
        return globs.stream().map(Glob::pattern).sorted().toList().toString();
    }
}
