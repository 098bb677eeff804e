package dev.tollgate.decision.policy;

import dev.tollgate.decision.policy.RuleTrace.Effect;
import dev.tollgate.schemas.GitHubAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides requests against one immutable {@link Policy}. Precedence, in order:
 * <ol>
 * <li>hard blocks (not a catalogued tool; path traversal; a push to {@code main}, {@code master}
 * or a protected pattern) deny, whatever the policy says and in every mode;</li>
 * <li>the narrowing carried by the agent's gateway token denies what it leaves out;</li>
 * <li>explicit deny rules deny (in monitor-mode rule sets they are only recorded);</li>
 * <li>a grant permits: among the grants covering the agent and environment, only those whose
 * repository pattern is the most specific match are considered, and one of them must permit the
 * action under its tier constraints and conditions;</li>
 * <li>otherwise the request is denied by default (allowed and marked monitor-only when a
 * monitor-mode rule set covers the agent and environment).</li>
 * </ol>
 * Thread-safe: it holds nothing mutable.
 */
public final class PolicyEngine {

    static final String RULE_CATALOGUED = "hard-block: catalogued tools only";
    static final String RULE_TRAVERSAL = "hard-block: no path traversal";
    static final String RULE_PROTECTED = "hard-block: no push to a default or protected branch";
    static final String RULE_DEFAULT_DENY = "default: deny";
    static final String RULE_NARROWING = "token narrowing";

    private final Policy policy;

    public PolicyEngine(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public Policy policy() {
        return policy;
    }

    public Decision decide(DecisionRequest request) {
        List<RuleTrace> trace = new ArrayList<>();
        Optional<String> blocked = HardBlocks.blockedTool(request.tool());
        trace.add(new RuleTrace(RULE_CATALOGUED, Effect.BLOCK, blocked.isPresent(), blocked
                .orElse("'" + request.tool() + "' is catalogued")));
        if (blocked.isPresent()) {
            return denied(request, Denied.Kind.HARD_BLOCK, blocked.get(), trace);
        }
        GitHubAction action = GitHubAction.byToolName(request.tool()).orElseThrow();
        if (action.kind() == GitHubAction.Kind.LOCAL) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                    + "' is answered by the ingress itself and is never decided by policy", trace);
        }
        if (!request.host().equals("github")) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + request.host()
                    + "' is not supported yet: Tollgate acts on GitHub only", trace);
        }
        if (request.owner() == null || request.repo() == null) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                    + "' must name a repository (owner and repo)", trace);
        }
        Optional<String> traversal = request.paths().stream().map(PolicyEngine::traversal)
                .flatMap(Optional::stream).findFirst();
        trace.add(new RuleTrace(RULE_TRAVERSAL, Effect.BLOCK, traversal.isPresent(), traversal
                .orElse(request.paths().isEmpty() ? "no paths" : "paths are relative and clean")));
        if (traversal.isPresent()) {
            return denied(request, Denied.Kind.HARD_BLOCK, traversal.get(), trace);
        }
        boolean pushes = HardBlocks.pushesToBranch(action);
        if (pushes) {
            if (request.branch() == null) {
                return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                        + "' must name the branch it writes", trace);
            }
            Optional<String> protectedBy = HardBlocks.protectedPattern(request.branch(), policy
                    .protectedBranches());
            String detail = protectedBy.map(pattern -> "pushing to branch '" + request.branch()
                    + "' is hard-blocked: it is a default or protected branch (" + pattern
                    + "); push to a branch named " + Tier.AGENT_BRANCH_PREFIX
                    + "... and open a pull request instead").orElse("branch '" + request.branch()
                            + "' is not main, master or a protected pattern (the executor"
                            + " still checks GitHub's default branch and protection)");
            trace.add(new RuleTrace(RULE_PROTECTED, Effect.BLOCK, protectedBy.isPresent(),
                    detail));
            if (protectedBy.isPresent()) {
                return denied(request, Denied.Kind.HARD_BLOCK, detail, trace);
            }
        }

        Optional<String> narrowed = narrowingRefusal(request.narrowing(), request, action);
        if (!request.narrowing().isNone()) {
            trace.add(new RuleTrace(RULE_NARROWING, Effect.DENY, narrowed.isPresent(), narrowed
                    .orElse("the token's narrowing includes " + action.toolName() + " on "
                            + request.repository())));
        }
        if (narrowed.isPresent()) {
            return denied(request, Denied.Kind.TOKEN_NARROWING, narrowed.get(), trace);
        }

        List<RuleSet> covering = new ArrayList<>();
        for (RuleSet ruleSet : policy.ruleSets()) {
            if (ruleSet.covers(request.agent(), request.environment())) {
                covering.add(ruleSet);
            } else {
                trace.add(new RuleTrace("rule set '" + ruleSet.name() + "'", Effect.SKIP, false,
                        "covers agents " + ruleSet.agents() + " in environments " + ruleSet
                                .environments()));
            }
        }

        DenyRule enforcedDeny = null;
        List<DenyRule> monitoredDenies = new ArrayList<>();
        for (RuleSet ruleSet : covering) {
            for (DenyRule deny : ruleSet.denies()) {
                Optional<String> mismatch = denyMismatch(deny, request, action);
                boolean monitor = ruleSet.mode() == Mode.MONITOR;
                String detail = mismatch.orElse(monitor
                        ? "matches; monitor mode: recorded, not enforced"
                        : "matches");
                trace.add(new RuleTrace(label(ruleSet, deny.label()), Effect.DENY, mismatch
                        .isEmpty(), detail));
                if (mismatch.isEmpty()) {
                    if (monitor) {
                        monitoredDenies.add(deny);
                    } else if (enforcedDeny == null) {
                        enforcedDeny = deny;
                    }
                }
            }
        }
        if (enforcedDeny != null) {
            return denied(request, Denied.Kind.EXPLICIT_DENY, denyReason(enforcedDeny, action,
                    request), trace);
        }

        record Candidate(RuleSet ruleSet, Grant grant, int specificity) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (RuleSet ruleSet : covering) {
            for (Grant grant : ruleSet.grants()) {
                String label = label(ruleSet, grant.label());
                if (!grant.agents().matches(request.agent())) {
                    trace.add(new RuleTrace(label, Effect.SKIP, false, "for agents " + grant
                            .agents()));
                } else if (!grant.environments().matches(request.environment())) {
                    trace.add(new RuleTrace(label, Effect.SKIP, false, "for environments "
                            + grant.environments()));
                } else {
                    int specificity = grant.specificityFor(request.owner(), request.repo());
                    if (specificity < 0) {
                        trace.add(new RuleTrace(label, Effect.SKIP, false, "for " + grant.repos()
                                + ", not " + request.repository()));
                    } else {
                        candidates.add(new Candidate(ruleSet, grant, specificity));
                    }
                }
            }
        }
        int best = candidates.stream().mapToInt(Candidate::specificity).max().orElse(-1);
        Candidate permitting = null;
        List<String> refusals = new ArrayList<>();
        boolean requireFork = false;
        for (Candidate candidate : candidates) {
            String label = label(candidate.ruleSet(), candidate.grant().label());
            if (candidate.specificity() < best) {
                trace.add(new RuleTrace(label, Effect.SKIP, false,
                        "shadowed: a more specific grant matches " + request.repository()));
                continue;
            }
            requireFork |= candidate.grant().requireFork();
            Optional<String> refusal = refusal(candidate.grant(), request, action);
            trace.add(new RuleTrace(label, Effect.ALLOW, refusal.isEmpty(), refusal.orElse(
                    "permits " + action.toolName() + " (grants " + candidate.grant()
                            .describeGrants() + ")")));
            if (refusal.isEmpty()) {
                if (permitting == null) {
                    permitting = candidate;
                }
            } else {
                refusals.add(candidate.grant().name() + ": " + refusal.get());
            }
        }

        if (permitting != null) {
            List<Precondition> preconditions = new ArrayList<>();
            if (pushes) {
                if (requireFork) {
                    preconditions.add(Precondition.REQUIRE_FORK);
                }
                preconditions.add(Precondition.BRANCH_NOT_DEFAULT);
                preconditions.add(Precondition.BRANCH_NOT_PROTECTED);
            }
            String reason = action.toolName() + " on " + request.repository() + " is allowed by "
                    + permitting.grant().name();
            if (!monitoredDenies.isEmpty()) {
                DenyRule first = monitoredDenies.get(0);
                reason += "; monitor mode: " + denyReason(first, action, request)
                        + " (not enforced)";
            }
            trace.add(new RuleTrace(RULE_DEFAULT_DENY, Effect.DENY, false, "a grant permits"));
            return allowed(request, action, reason, trace, preconditions, !monitoredDenies
                    .isEmpty());
        }

        String reason = noGrantReason(request, action, candidates.isEmpty(), refusals);
        Optional<RuleSet> monitoring = covering.stream().filter(ruleSet -> ruleSet
                .mode() == Mode.MONITOR).findFirst();
        if (monitoring.isPresent()) {
            trace.add(new RuleTrace(RULE_DEFAULT_DENY, Effect.DENY, true,
                    "monitor mode (rule set '" + monitoring.get().name()
                            + "'): recorded, not enforced"));
            List<Precondition> preconditions = pushes
                    ? List.of(Precondition.BRANCH_NOT_DEFAULT, Precondition.BRANCH_NOT_PROTECTED)
                    : List.of();
            return allowed(request, action, "monitor mode (rule set '" + monitoring.get().name()
                    + "'): allowed, but enforce mode would deny: " + reason, trace,
                    preconditions, true);
        }
        trace.add(new RuleTrace(RULE_DEFAULT_DENY, Effect.DENY, true, "no grant permits "
                + action.toolName() + " on " + request.repository()));
        return denied(request, Denied.Kind.NO_GRANT, reason, trace);
    }

    private static Optional<String> narrowingRefusal(TokenNarrowing narrowing,
            DecisionRequest request, GitHubAction action) {
        if (!narrowing.tools().isEmpty() && !narrowing.tools().contains(action.toolName())) {
            return Optional
                    .of("the agent's gateway token is narrowed to the tools " + new TreeSet<>(
                            narrowing.tools()) + "; " + action.toolName() + " is not one of them");
        }
        if (!narrowing.repositories().isEmpty() && narrowing.repositories().stream().noneMatch(
                pattern -> pattern.matches(request.owner(), request.repo()))) {
            return Optional.of("the agent's gateway token is narrowed to the repositories "
                    + narrowing.repositories() + "; " + request.repository()
                    + " is not one of them");
        }
        return Optional.empty();
    }

    private Allowed allowed(DecisionRequest request, GitHubAction action, String reason,
            List<RuleTrace> trace, List<Precondition> preconditions, boolean monitorOnly) {
        return new Allowed(request, reason, trace, policy.version(), action.permissions(), List.of(
                request.owner() + "/" + request.repo()), preconditions, request.owner(),
                monitorOnly);
    }

    private Denied denied(DecisionRequest request, Denied.Kind kind, String reason,
            List<RuleTrace> trace) {
        return new Denied(request, kind, reason, trace, policy.version());
    }

    private static String label(RuleSet ruleSet, String rule) {
        return ruleSet.name().equals("default") ? rule : ruleSet.name() + " / " + rule;
    }

    private static String who(DecisionRequest request) {
        return "agent '" + request.agent() + "' (environment '" + request.environment() + "')";
    }

    private static String noGrantReason(DecisionRequest request, GitHubAction action,
            boolean noCandidates, List<String> refusals) {
        String head = who(request) + " may not " + action.toolName() + " on " + request
                .repository() + ": ";
        if (noCandidates) {
            return head + "no grant covers " + request.repository()
                    + " (deny by default); a policy grant for it must allow "
                    + neededGrant(action);
        }
        return head + String.join("; ", refusals);
    }

    /** The smallest grants that would permit an action, for reasons. */
    static String neededGrant(GitHubAction action) {
        List<String> options = new ArrayList<>();
        for (Tier tier : Tier.values()) {
            if (tier != Tier.WRITE && tier.covers(action)) {
                options.add(tier.key());
            }
        }
        options.add(action.toolName());
        options.add(Tier.WRITE.key());
        return options.stream().distinct().collect(Collectors.joining(" or "));
    }

    private static String denyReason(DenyRule deny, GitHubAction action, DecisionRequest request) {
        String because = deny.reason() == null || deny.reason().isBlank()
                ? action.toolName() + " on " + request.repository() + " is denied"
                : deny.reason();
        return "denied by rule '" + deny.name() + "': " + because;
    }

    /** Why a deny rule does not match, or empty when it does. */
    private static Optional<String> denyMismatch(DenyRule deny, DecisionRequest request,
            GitHubAction action) {
        if (!deny.agents().matches(request.agent())) {
            return Optional.of("for agents " + deny.agents());
        }
        if (!deny.environments().matches(request.environment())) {
            return Optional.of("for environments " + deny.environments());
        }
        if (deny.repos().stream().noneMatch(pattern -> pattern.matches(request.owner(), request
                .repo()))) {
            return Optional.of("for " + deny.repos() + ", not " + request.repository());
        }
        if (!deny.actions().isEmpty() && !deny.actions().contains(action)) {
            return Optional.of("for " + deny.actions().stream().map(GitHubAction::toolName)
                    .sorted().toList() + ", not " + action.toolName());
        }
        Conditions when = deny.conditions();
        if (!when.branches().isEmpty() && (request.branch() == null || when.branches().stream()
                .noneMatch(glob -> glob.matchesIgnoringCase(request.branch())))) {
            return Optional.of(request.branch() == null
                    ? "the call names no branch"
                    : "branch '" + request.branch() + "' is not one of " + when.branches());
        }
        List<String> paths = normalizedPaths(request);
        if (!when.paths().isEmpty() && paths.stream().noneMatch(path -> when.paths().stream()
                .anyMatch(glob -> glob.matchesIgnoringCase(path)))) {
            return Optional.of(paths.isEmpty()
                    ? "the call names no path"
                    : "no path under " + when.paths());
        }
        if (!when.labels().isEmpty()
                && request.labels().stream().noneMatch(label -> containsIgnoringCase(
                        when.labels(), label))) {
            return Optional.of("no label of " + new TreeSet<>(when.labels()));
        }
        Set<Long> numbers = new TreeSet<>(when.pullRequests());
        numbers.addAll(when.issues());
        if (!numbers.isEmpty() && (request.number() == null || !numbers.contains(request
                .number()))) {
            return Optional.of("only for numbers " + numbers);
        }
        return Optional.empty();
    }

    /** Why a grant does not permit a request, or empty when it does. */
    static Optional<String> refusal(Grant grant, DecisionRequest request, GitHubAction action) {
        if (!grant.coveredActions().contains(action)) {
            return Optional.of("grants " + grant.describeGrants() + ", not " + action.toolName()
                    + " (that needs " + neededGrant(action) + ")");
        }
        boolean unconstrained = grant.actions().contains(action) || grant.tiers().contains(
                Tier.WRITE);
        if (!unconstrained) {
            Tier via = grant.tiers().stream().filter(tier -> tier.covers(action)).min(Comparator
                    .naturalOrder()).orElseThrow();
            if (via == Tier.PUSH_NEW_BRANCH && !request.branch().startsWith(
                    Tier.AGENT_BRANCH_PREFIX)) {
                return Optional.of("push-new-branch allows only branches named "
                        + Tier.AGENT_BRANCH_PREFIX + "...; '" + request.branch() + "' is not one"
                        + " (rename the branch, or grant write)");
            }
            if (via == Tier.CREATE_DRAFT && Boolean.FALSE.equals(request.draft())) {
                return Optional.of("create-draft allows draft pull requests only; open it with"
                        + " draft=true (or grant write)");
            }
        }
        Conditions conditions = grant.conditions();
        if (conditions.isNarrowedToNumbers()) {
            Set<Long> allowedNumbers = numbersFor(action, conditions);
            if (request.number() == null) {
                if (action.kind() != GitHubAction.Kind.READ) {
                    return Optional.of("narrowed to " + describeNumbers(conditions) + "; "
                            + action.toolName() + " names none of them");
                }
            } else if (!allowedNumbers.contains(request.number())) {
                return Optional.of("narrowed to " + describeNumbers(conditions) + "; #" + request
                        .number() + " is not one of them");
            }
        }
        if (!conditions.branches().isEmpty() && request.branch() != null && conditions.branches()
                .stream().noneMatch(glob -> glob.matches(request.branch()))) {
            return Optional.of("branch '" + request.branch() + "' does not match "
                    + conditions.branches());
        }
        for (String path : normalizedPaths(request)) {
            if (!conditions.paths().isEmpty() && conditions.paths().stream().noneMatch(glob -> glob
                    .matches(path))) {
                return Optional.of("path '" + path + "' is outside " + conditions.paths());
            }
            Optional<Glob> excluded = conditions.excludePaths().stream().filter(glob -> glob
                    .matchesIgnoringCase(path)).findFirst();
            if (excluded.isPresent()) {
                return Optional.of("path '" + path + "' is excluded (" + excluded.get() + ")");
            }
        }
        if (!conditions.labels().isEmpty()) {
            for (String label : request.labels()) {
                if (!containsIgnoringCase(conditions.labels(), label)) {
                    return Optional.of("label '" + label + "' is not one of " + new TreeSet<>(
                            conditions.labels()));
                }
            }
        }
        return Optional.empty();
    }

    private static Set<Long> numbersFor(GitHubAction action, Conditions conditions) {
        return switch (action) {
            case CREATE_PULL_REQUEST_COMMENT, CREATE_PENDING_REVIEW, CREATE_PR -> conditions
                    .pullRequests();
            case CREATE_ISSUE -> conditions.issues();
            default -> {
                Set<Long> all = new TreeSet<>(conditions.pullRequests());
                all.addAll(conditions.issues());
                yield all;
            }
        };
    }

    private static String describeNumbers(Conditions conditions) {
        List<String> parts = new ArrayList<>();
        if (!conditions.pullRequests().isEmpty()) {
            parts.add("pull requests " + new TreeSet<>(conditions.pullRequests()));
        }
        if (!conditions.issues().isEmpty()) {
            parts.add("issues " + new TreeSet<>(conditions.issues()));
        }
        return String.join(" and ", parts);
    }

    private static List<String> normalizedPaths(DecisionRequest request) {
        return request.paths().stream().map(PolicyEngine::normalizePath).toList();
    }

    /** Labels compare case-insensitively, as GitHub matches them. */
    private static boolean containsIgnoringCase(Set<String> labels, String label) {
        return labels.stream().anyMatch(listed -> listed.equalsIgnoreCase(label));
    }

    /** Separators unified, {@code //} collapsed, {@code .} segments removed. */
    static String normalizePath(String path) {
        String unified = path.replace('\\', '/');
        boolean absolute = unified.startsWith("/");
        List<String> segments = new ArrayList<>();
        for (String segment : unified.split("/")) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        return (absolute ? "/" : "") + String.join("/", segments);
    }

    private static Optional<String> traversal(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        String normalized = normalizePath(path);
        boolean escapes = path.indexOf('\0') >= 0 || normalized.startsWith("/") || lower
                .contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || List.of(
                        normalized.split("/")).contains("..");
        return escapes
                ? Optional.of("path '" + path.replace("\0", "\\0")
                        + "' is hard-blocked: paths must be relative to the repository root,"
                        + " without '..', encoded separators or NUL")
                : Optional.empty();
    }
}
