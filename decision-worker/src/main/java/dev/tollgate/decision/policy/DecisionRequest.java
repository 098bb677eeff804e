package dev.tollgate.decision.policy;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Scope;
import dev.tollgate.tools.Target.NumberKind;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ValidatedCall;
import dev.tollgate.tools.secrets.CredentialFinding;
import dev.tollgate.tools.secrets.WrittenContent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the policy decides on: who asks (agent, environment), for which tool, on which
 * {@link Target}. The target comes from the tool's one definition ({@link #forCall}), the same
 * parser the ingress and the executor use; nothing here guesses from raw arguments.
 *
 * @param agent the agent ID
 * @param environment the agent's environment
 * @param tool the tool name as the agent called it (possibly not a tool at all)
 * @param target what the call acts on; null for a name that is not a tool that reaches GitHub
 * @param narrowing the narrowing carried by the agent's gateway token ({@link TokenNarrowing#NONE}
 *        when it has none)
 * @param credentials what looks like a credential in what a write would send to GitHub
 *        ({@link WrittenContent}): kinds and places, never values; empty for reads
 */
public record DecisionRequest(String agent, String environment, String tool, Target target,
        TokenNarrowing narrowing, List<CredentialFinding> credentials) {

    public DecisionRequest {
        narrowing = narrowing == null ? TokenNarrowing.NONE : narrowing;
        credentials = credentials == null ? List.of() : List.copyOf(credentials);
    }

    /** A request whose content holds no credential (or was not scanned: reads, tests). */
    public DecisionRequest(String agent, String environment, String tool, Target target,
            TokenNarrowing narrowing) {
        this(agent, environment, tool, target, narrowing, List.of());
    }

    /**
     * How much of a write's text the decision worker scans for credentials: the ingress scanned
     * all of it before publishing; this second look at its start must not let one agent's large
     * writes stall the decision loop every agent shares (at most ~7 ms on text made to be slow).
     * It sees what stays in the clear (titles, commit messages, labels): bodies and file contents
     * reach it only as their proofs ({@code WithheldContent}), and the executor takes the second
     * look at them before it writes.
     */
    public static final long SECOND_LOOK_CHARS = 16 * 1024;

    /**
     * The request for a call of {@code tool} with {@code arguments}: the arguments checked and the
     * target parsed by the tool's definition. A name that is not a tool gets no target (the policy
     * hard-blocks it).
     *
     * @throws InvalidArgumentException when the tool's definition refuses the arguments (the
     *         ingress refuses such a call before it is ever decided)
     */
    public static DecisionRequest forCall(String agent, String environment, String tool,
            Map<String, Object> arguments) {
        Optional<Tool> known = Tool.byToolName(tool);
        if (known.isEmpty() || !known.get().reachesGitHub()) {
            return new DecisionRequest(agent, environment, tool, null, TokenNarrowing.NONE);
        }
        ValidatedCall call = ToolCatalogue.standard().validate(tool, arguments);
        return new DecisionRequest(agent, environment, tool, call.requireTarget(),
                TokenNarrowing.NONE, WrittenContent.credentials(call, SECOND_LOOK_CHARS));
    }

    /**
     * A request for a tool on {@code owner/repo} naming nothing else, to be refined with the
     * {@code with} methods (tests and examples; calls use {@link #forCall}).
     */
    public static DecisionRequest of(String agent, String environment, String tool,
            String repository) {
        Target target = null;
        if (repository != null && repository.contains("/")) {
            int slash = repository.indexOf('/');
            target = Target.in(lower(repository.substring(0, slash)), lower(repository
                    .substring(slash + 1))).build();
        }
        return new DecisionRequest(agent, environment, tool, target, TokenNarrowing.NONE);
    }

    /** The tool, if the name is one. */
    public Optional<Tool> action() {
        return Tool.byToolName(tool);
    }

    /** The forge: {@code github} unless the target names another. */
    public String host() {
        return target == null ? Target.GITHUB : target.host();
    }

    public String owner() {
        return target == null ? null : target.owner();
    }

    public String repo() {
        return target == null ? null : target.repo();
    }

    /**
     * The repository as a grant would name it: {@code owner/repo} on GitHub,
     * {@code forgejo:host/owner/repo} on a Forgejo host.
     */
    public String place() {
        Optional<Tool> known = action();
        if (target == null || known.isEmpty() || known.get().forge() == Forge.GITHUB) {
            return repository();
        }
        Forge forge = known.get().forge();
        return forge.fixedHost().isPresent()
                ? forge.key() + ":" + repository()
                : forge.key() + ":" + target.host() + "/" + repository();
    }

    /** {@code owner/repo}, or {@code (none)} when the request names no repository. */
    public String repository() {
        return target == null ? "(none)" : target.repository();
    }

    // ---- refinements, for tests and examples ---------------------------------------------------

    /** With {@code number} as the issue or pull request the call names. */
    public DecisionRequest withNumber(long number) {
        NumberKind kind = switch (tool) {
            case "create_issue" -> NumberKind.ISSUE;
            case "create_pr", "create_pull_request_comment", "create_pending_review",
                    "list_pull_requests" ->
                NumberKind.PULL_REQUEST;
            default -> NumberKind.ISSUE_OR_PULL_REQUEST;
        };
        return with(requireTarget().toBuilder().numbers(Scope.of(List.of(number)), kind));
    }

    /** With every issue or pull request reachable (a listing). */
    public DecisionRequest withEveryNumber(String why) {
        return with(requireTarget().toBuilder().numbers(Scope.every(why),
                requireTarget().numberKind()));
    }

    /**
     * With {@code branch} as the branch the call names: the branch written for tools that write
     * one, the head for create_pr, else a ref read.
     */
    public DecisionRequest withBranch(String branch) {
        Target t = requireTarget();
        if (Tool.byToolName(tool).map(known -> known.definition().writesBranch()).orElse(false)) {
            return with(t.toBuilder().writesBranch(branch));
        }
        if (tool.equals(Tool.CREATE_PR.toolName())) {
            return with(t.toBuilder().head(new Target.Head(t.owner(), t.repo(), branch)));
        }
        return with(t.toBuilder().refs(Target.in(t.owner(), t.repo()).ref(branch).build()
                .refs()));
    }

    /** With {@code base} as the base of the pull request the call opens. */
    public DecisionRequest withBase(String base) {
        return with(requireTarget().toBuilder().base(base));
    }

    public DecisionRequest withPaths(String... paths) {
        return with(requireTarget().toBuilder().paths(Scope.of(List.of(paths))));
    }

    /** With every path reachable (a tree, a blob, a patch). */
    public DecisionRequest withEveryPath(String why) {
        return with(requireTarget().toBuilder().paths(Scope.every(why)));
    }

    public DecisionRequest withLabels(String... labels) {
        return with(requireTarget().toBuilder().labels(List.of(labels)));
    }

    public DecisionRequest withDraft(Boolean draft) {
        return with(requireTarget().toBuilder().draft(draft));
    }

    public DecisionRequest onHost(String host) {
        return with(requireTarget().toBuilder().host(host.toLowerCase(Locale.ROOT)));
    }

    public DecisionRequest narrowedTo(TokenNarrowing newNarrowing) {
        return new DecisionRequest(agent, environment, tool, target, newNarrowing, credentials);
    }

    private DecisionRequest with(Target.Builder parts) {
        return new DecisionRequest(agent, environment, tool, parts.build(), narrowing,
                credentials);
    }

    private Target requireTarget() {
        if (target == null) {
            throw new IllegalStateException("the request names no repository");
        }
        return target;
    }

    private static String lower(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }
}
