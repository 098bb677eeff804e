package dev.tollgate.decision.policy;

import dev.tollgate.decision.policy.RuleTrace.Effect;
import dev.tollgate.tools.BranchRule;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Reveals;
import dev.tollgate.tools.Scope;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
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
 * <li>hard blocks (not a catalogued tool; path traversal; a write to a branch not named
 * {@code agent-...} ({@link BranchRule}); a push to {@code main}, {@code master} or a protected
 * pattern; a write whose content holds what looks like a credential) deny, whatever the policy
 * says and in every mode;</li>
 * <li>the narrowing carried by the agent's gateway token denies what it leaves out;</li>
 * <li>explicit deny rules deny (in monitor-mode rule sets they are only recorded);</li>
 * <li>a grant permits: among the grants covering the agent and environment, only those whose
 * repository pattern is the most specific match are considered, and one of them must permit the
 * action under its tier constraints and conditions;</li>
 * <li>otherwise the request is denied by default (allowed and marked monitor-only when a
 * monitor-mode rule set covers the agent and environment).</li>
 * </ol>
 * A deny rule naming a read tool covers every read that reaches the kind of data that tool reveals
 * ({@link Reveals}: files, issues and pull requests, metadata), the passthrough included; its
 * conditions then decide whether the call reaches what it protects. Conditions read the request's {@link Target}; a call that can reach every item of a kind
 * (every path, number or ref) without naming it is refused by a grant whose condition narrows
 * that kind, and matches a deny rule whose condition names that kind.
 * Thread-safe: it holds nothing mutable.
 */
public final class PolicyEngine {

    static final String RULE_CATALOGUED = "hard-block: catalogued tools only";
    static final String RULE_TRAVERSAL = "hard-block: no path traversal";
    static final String RULE_PROTECTED = "hard-block: no push to a default or protected branch";
    static final String RULE_AGENT_BRANCH = "hard-block: agents write only agent- branches";
    static final String RULE_NO_CREDENTIALS = "hard-block: no credentials in written content";
    static final String RULE_DEFAULT_DENY = "default: deny";
    static final String RULE_NARROWING = "token narrowing";
    static final String RULE_FORK_HEAD = "a pull request's head in another repository";

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
        Tool action = request.action().orElseThrow();
        if (action.kind() == Tool.Kind.LOCAL) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                    + "' is answered by the ingress itself and is never decided by policy", trace);
        }
        Target target = request.target();
        if (target == null) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                    + "' must name a repository (owner and repo)", trace);
        }
        Optional<String> fixedHost = action.forge().fixedHost();
        if (fixedHost.isPresent() && !target.host().equals(fixedHost.get())) {
            return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                    + "' acts on " + action.forge().title() + " only, not on '" + target.host()
                    + "'", trace);
        }
        Optional<String> traversal = target.paths().named().stream().map(
                PolicyEngine::traversal).flatMap(Optional::stream).findFirst();
        trace.add(new RuleTrace(RULE_TRAVERSAL, Effect.BLOCK, traversal.isPresent(), traversal
                .orElse(target.paths().named().isEmpty()
                        ? "no paths named"
                        : "paths are relative and clean")));
        if (traversal.isPresent()) {
            return denied(request, Denied.Kind.HARD_BLOCK, traversal.get(), trace);
        }
        boolean pushes = action.definition().writesBranch();
        if (pushes) {
            if (target.branch() == null) {
                return denied(request, Denied.Kind.INVALID_REQUEST, "'" + action.toolName()
                        + "' must name the branch it writes", trace);
            }
            Optional<String> protectedBy = HardBlocks.protectedPattern(target.branch(), policy
                    .protectedBranches());
            String detail = protectedBy.map(pattern -> "pushing to branch '" + target.branch()
                    + "' is hard-blocked: it is a default or protected branch (" + pattern
                    + "); push to another " + BranchRule.AGENT_PREFIX
                    + "... branch and open a pull request instead").orElse("branch '" + target
                            .branch() + "' is not main, master or a protected pattern (the"
                            + " executor still checks GitHub's default branch and protection)");
            trace.add(new RuleTrace(RULE_PROTECTED, Effect.BLOCK, protectedBy.isPresent(),
                    detail));
            if (protectedBy.isPresent()) {
                return denied(request, Denied.Kind.HARD_BLOCK, detail, trace);
            }
            boolean agentBranch = BranchRule.isAgentBranch(target.branch());
            trace.add(new RuleTrace(RULE_AGENT_BRANCH, Effect.BLOCK, !agentBranch, agentBranch
                    ? "'" + target.branch() + "' is an agent branch"
                    : BranchRule.refusal(target.branch())));
            if (!agentBranch) {
                return denied(request, Denied.Kind.HARD_BLOCK, BranchRule.refusal(target
                        .branch()), trace);
            }
        }

        if (action.isWrite()) {
            Optional<String> credential = HardBlocks.credentialRefusal(action.toolName(), request
                    .credentials());
            trace.add(new RuleTrace(RULE_NO_CREDENTIALS, Effect.BLOCK, credential.isPresent(),
                    credential.orElse("nothing it writes looks like a credential")));
            if (credential.isPresent()) {
                return denied(request, Denied.Kind.SECRET_IN_CONTENT, credential.get(), trace);
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
                    int specificity = grant.specificityFor(action.forge(), request.host(),
                            request.owner(), request.repo());
                    if (specificity < 0) {
                        trace.add(new RuleTrace(label, Effect.SKIP, false, "for " + grant.repos()
                                + ", not " + request.place()));
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

        Target.Head head = target.head();
        if (permitting != null && head != null && !head.repository().equals(request
                .repository())) {
            Optional<String> headRefusal = headRefusal(request, head);
            trace.add(new RuleTrace(RULE_FORK_HEAD, Effect.DENY, headRefusal.isPresent(),
                    headRefusal.orElse("the agent may read branch '" + head.branch() + "' of "
                            + head.repository())));
            if (headRefusal.isPresent()) {
                return denied(request, Denied.Kind.NO_GRANT, headRefusal.get(), trace);
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

    /**
     * A pull request from another repository (a fork) shows that repository's branch in the base
     * repository: the agent must be granted that branch there too, to read it (list_commits) or to
     * push it (create_branch), under the same rule sets, denies, conditions and token narrowing.
     */
    private Optional<String> headRefusal(DecisionRequest request, Target.Head head) {
        Decision read = decide(new DecisionRequest(request.agent(), request.environment(),
                Tool.LIST_COMMITS.toolName(), Target.in(head.owner(), head.repo()).ref(head
                        .branch()).build(),
                request.narrowing()));
        if (read.allowed()) {
            return Optional.empty();
        }
        Decision push = decide(new DecisionRequest(request.agent(), request.environment(),
                Tool.CREATE_BRANCH.toolName(), Target.in(head.owner(), head.repo())
                        .writesBranch(head.branch()).build(),
                request.narrowing()));
        if (push.allowed()) {
            return Optional.empty();
        }
        return Optional.of("the pull request's head is branch '" + head.branch() + "' of "
                + head.repository() + ", which this agent may neither read nor push: grant "
                + head.repository() + " read or push-new-branch (" + read.reason() + ")");
    }

    private static Optional<String> narrowingRefusal(TokenNarrowing narrowing,
            DecisionRequest request, Tool action) {
        if (!ToolGrant.narrowingKeeps(narrowing.tools(), action)) {
            return Optional
                    .of("the agent's gateway token is narrowed to the tools " + new TreeSet<>(
                            narrowing.tools()) + "; " + action.toolName() + " is not one of them");
        }
        if (!narrowing.repositories().isEmpty() && narrowing.repositories().stream().noneMatch(
                pattern -> pattern.matches(action.forge(), request.host(), request.owner(),
                        request.repo()))) {
            return Optional.of("the agent's gateway token is narrowed to the repositories "
                    + narrowing.repositories() + "; " + request.repository()
                    + " is not one of them");
        }
        return Optional.empty();
    }

    private Allowed allowed(DecisionRequest request, Tool action, String reason,
            List<RuleTrace> trace, List<Precondition> preconditions, boolean monitorOnly) {
        return new Allowed(request, reason, trace, policy.version(), action.permissions(), List.of(
                request.repository()), preconditions, request.owner(),
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

    private static String noGrantReason(DecisionRequest request, Tool action,
            boolean noCandidates, List<String> refusals) {
        String head = who(request) + " may not " + action.toolName() + " on " + request
                .repository() + ": ";
        if (noCandidates) {
            return head + "no grant covers " + request.place()
                    + " (deny by default); a policy grant for it must allow "
                    + neededGrant(action);
        }
        return head + String.join("; ", refusals);
    }

    /** The smallest grants that would permit an action, for reasons. */
    static String neededGrant(Tool action) {
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

    private static String denyReason(DenyRule deny, Tool action, DecisionRequest request) {
        String because = deny.reason() == null || deny.reason().isBlank()
                ? action.toolName() + " on " + request.repository() + " is denied"
                : deny.reason();
        return "denied by rule '" + deny.name() + "': " + because + reachedWithoutNaming(deny,
                request.target()).map(
                        note -> " (" + action.toolName() + " counts as touching"
                                + " what the rule protects: " + note + ")")
                .orElse("");
    }

    /** Why a deny rule does not match, or empty when it does. */
    private static Optional<String> denyMismatch(DenyRule deny, DecisionRequest request,
            Tool action) {
        if (!deny.agents().matches(request.agent())) {
            return Optional.of("for agents " + deny.agents());
        }
        if (!deny.environments().matches(request.environment())) {
            return Optional.of("for environments " + deny.environments());
        }
        if (deny.repos().stream().noneMatch(pattern -> pattern.matches(action.forge(), request
                .host(), request.owner(), request.repo()))) {
            return Optional.of("for " + deny.repos() + ", not " + request.place());
        }
        Target target = request.target();
        if (!deny.actions().isEmpty() && !deny.actions().contains(action) && !readsWhatItNames(
                deny, action, target)) {
            return Optional.of("for " + deny.actions().stream().map(Tool::toolName).sorted()
                    .toList() + ", not " + action.toolName());
        }
        Conditions when = deny.conditions();
        Scope<String> branches = target.branchesReached();
        if (!when.branches().isEmpty() && !branches.isEvery() && branches.named().stream()
                .noneMatch(branch -> when.branches().stream().anyMatch(glob -> glob
                        .matchesIgnoringCase(branch)))) {
            return Optional.of(branches.isNone()
                    ? "the call names no branch"
                    : "no branch of " + branches.named() + " is one of " + when.branches());
        }
        Scope<String> paths = normalized(target.paths());
        if (!when.paths().isEmpty() && !paths.isEvery() && paths.named().stream().noneMatch(
                path -> when.paths().stream().anyMatch(glob -> glob.matchesIgnoringCase(path)))) {
            return Optional.of(paths.isNone()
                    ? "the call names no path"
                    : "no path under " + when.paths());
        }
        if (!when.labels().isEmpty() && target.labels().stream().noneMatch(
                label -> containsIgnoringCase(when.labels(), label))) {
            return Optional.of("no label of " + new TreeSet<>(when.labels()));
        }
        Set<Long> numbers = new TreeSet<>(when.pullRequests());
        numbers.addAll(when.issues());
        if (!numbers.isEmpty() && !target.numbers().isEvery() && target.numbers().named()
                .stream().noneMatch(numbers::contains)) {
            return Optional.of("only for numbers " + numbers);
        }
        return Optional.empty();
    }

    /**
     * True when a read that the deny rule does not name reaches a kind of data that a read tool it
     * names reveals ({@link Reveals}): the rule protects that data from every way of reading it.
     */
    private static boolean readsWhatItNames(DenyRule deny, Tool action, Target target) {
        if (action.kind() != Tool.Kind.READ) {
            return false;
        }
        Set<Reveals> reached = Reveals.of(target);
        return deny.actions().stream().anyMatch(named -> named.definition().reveals().stream()
                .anyMatch(reached::contains));
    }

    /**
     * Why a matched deny rule's conditions hold for a call that names nothing they list: it
     * reaches every item of that kind. Empty when the call named what the rule lists.
     */
    private static Optional<String> reachedWithoutNaming(DenyRule deny, Target target) {
        Conditions when = deny.conditions();
        List<String> notes = new ArrayList<>();
        if (!when.paths().isEmpty() && target.paths().isEvery()) {
            notes.add("it can reveal every file without naming its path: " + target.paths()
                    .every().get());
        }
        if (!when.branches().isEmpty() && target.branches().isEvery()) {
            notes.add("it can read any branch without naming it: " + target.branches().every()
                    .get());
        }
        if ((!when.pullRequests().isEmpty() || !when.issues().isEmpty()) && target.numbers()
                .isEvery()) {
            notes.add("it can reveal every issue and pull request: " + target.numbers().every()
                    .get());
        }
        return notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes));
    }

    /** Why a grant does not permit a request, or empty when it does. */
    static Optional<String> refusal(Grant grant, DecisionRequest request, Tool action) {
        if (!grant.coveredActions().contains(action)) {
            return Optional.of("grants " + grant.describeGrants() + ", not " + action.toolName()
                    + " (that needs " + neededGrant(action) + ")");
        }
        Target target = request.target();
        boolean unconstrained = grant.actions().contains(action) || grant.tiers().contains(
                Tier.WRITE);
        if (!unconstrained && action.tier() == Tier.CREATE_DRAFT && Boolean.FALSE.equals(target
                .draft())) {
            return Optional.of("create-draft allows draft pull requests only; open it with"
                    + " draft=true (or grant write)");
        }
        Conditions conditions = grant.conditions();
        if (conditions.isNarrowedToNumbers()) {
            Set<Long> allowedNumbers = numbersFor(target.numberKind(), conditions);
            Scope<Long> numbers = target.numbers();
            if (numbers.isEvery()) {
                return Optional.of("narrowed to " + describeNumbers(conditions) + ", but "
                        + action.toolName() + " can reveal every issue and pull request ("
                        + numbers.every().get() + ")");
            }
            if (numbers.named().isEmpty()) {
                if (action.kind() != Tool.Kind.READ) {
                    return Optional.of("narrowed to " + describeNumbers(conditions) + "; "
                            + action.toolName() + " names none of them");
                }
            } else {
                for (Long number : numbers.named()) {
                    if (!allowedNumbers.contains(number)) {
                        return Optional.of("narrowed to " + describeNumbers(conditions) + "; #"
                                + number + " is not one of them");
                    }
                }
            }
        }
        Scope<String> branches = target.branches();
        if (!conditions.branches().isEmpty()) {
            if (branches.isEvery()) {
                return Optional.of("limited to branches " + conditions.branches() + ", but "
                        + action.toolName() + " can read any branch (" + branches.every().get()
                        + ")");
            }
            for (String branch : branches.named()) {
                if (conditions.branches().stream().noneMatch(glob -> glob.matches(branch))) {
                    return Optional.of("branch '" + branch + "' does not match "
                            + conditions.branches());
                }
            }
        }
        Scope<String> paths = normalized(target.paths());
        if (paths.isEvery() && (!coversEverything(conditions.paths()) || !conditions
                .excludePaths().isEmpty())) {
            return Optional.of((conditions.paths().isEmpty()
                    ? "excludes paths " + conditions.excludePaths()
                    : "limited to paths " + conditions.paths()) + ", but " + action.toolName()
                    + " can reveal every file without naming its path (" + paths.every().get()
                    + ")");
        }
        for (String path : paths.named()) {
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
            for (String label : target.labels()) {
                if (!containsIgnoringCase(conditions.labels(), label)) {
                    return Optional.of("label '" + label + "' is not one of " + new TreeSet<>(
                            conditions.labels()));
                }
            }
        }
        return Optional.empty();
    }

    /** True when the path globs do not narrow at all: none given, or one is {@code **}. */
    private static boolean coversEverything(List<Glob> globs) {
        return globs.isEmpty() || globs.stream().anyMatch(glob -> glob.pattern().equals("**"));
    }

    private static Set<Long> numbersFor(Target.NumberKind kind, Conditions conditions) {
        return switch (kind) {
            case PULL_REQUEST -> conditions.pullRequests();
            case ISSUE -> conditions.issues();
            case ISSUE_OR_PULL_REQUEST -> {
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

    private static Scope<String> normalized(Scope<String> paths) {
        return new Scope<>(paths.named().stream().map(PolicyEngine::normalizePath).toList(),
                paths.every());
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
