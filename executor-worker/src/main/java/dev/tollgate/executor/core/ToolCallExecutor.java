package dev.tollgate.executor.core;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ContentReference;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.core.handlers.Narrowing;
import dev.tollgate.executor.core.handlers.ToolHandlers;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TargetEvents;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ValidatedCall;
import dev.tollgate.tools.WithheldContent;
import dev.tollgate.tools.secrets.WrittenContent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Performs one allowed decision against GitHub, at most once per request ID, and returns the final
 * answer. A request ID already completed gets its earlier answer again, unchanged (same event ID),
 * without touching GitHub. Permissions are those the decision names, but never more than the
 * action's row in {@link Tool}; the token is narrowed to the decided repositories. Every answer
 * fits the {@link AnswerLimit} before it is recorded: a read's result too large for it is
 * answered {@code result_too_large} (saying how to ask for less), a write's is replaced by a note
 * that the write was done, and a failure's long texts are cut. The bytes of GitHub's answers a
 * call reads are held in the replica's {@link ResponseBudget} until its answer is built.
 */
public final class ToolCallExecutor {

    private static final Logger log = LoggerFactory.getLogger(ToolCallExecutor.class);
    /** How much of withheld content the executor scans again for credentials before writing. */
    private static final long SECOND_LOOK_CHARS = 16 * 1024;

    static {
        // Avro 1.12.2 builds events only from trusted packages; loading the shared codec trusts
        // dev.tollgate.events (builders copy defaults such as empty arrays through that check).
        dev.tollgate.schemas.AvroSingleObjectCodec.shared();
    }

    private final InstallationResolver installations;
    private final InstallationTokens tokens;
    private final GitHubTransport transport;
    private final CompletionStore completions;
    private final Clock clock;
    private final Map<String, ReentrantLock> inProgress = new ConcurrentHashMap<>();
    private volatile AppEnvironments appEnvironments;
    private volatile Map<String, ToolCallExecutor> apps = Map.of();
    private volatile AnswerSanitizer sanitizer = new AnswerSanitizer();
    private volatile AnswerLimit answerLimit = AnswerLimit.defaults();
    private volatile ResponseBudget responseBudget;
    private volatile ContentSource contents = ContentSource.NONE;
    private volatile ForgeHosts forges = ForgeHosts.NONE;
    /**
     * How old a decision (its signed {@code meta.occurredAt}) may be when it is performed, unless
     * set otherwise ({@code tollgate.executor.max-decision-age}).
     */
    public static final Duration DEFAULT_MAX_DECISION_AGE = Duration.ofDays(1);
    private volatile Duration maxDecisionAge = DEFAULT_MAX_DECISION_AGE;

    public ToolCallExecutor(InstallationResolver installations, InstallationTokens tokens,
            GitHubTransport transport, CompletionStore completions, Clock clock) {
        this.installations = installations;
        this.tokens = tokens;
        this.transport = transport;
        this.completions = completions;
        this.clock = clock;
    }

    /**
     * An executor without a GitHub App: it performs only other forges' calls ({@link #actingOn});
     * every GitHub call is answered {@code github_not_configured}, unless its environment has an
     * App of its own ({@link #routing}).
     */
    public static ToolCallExecutor withoutGitHub(CompletionStore completions, Clock clock) {
        return new ToolCallExecutor(null, null, null, completions, clock);
    }

    /**
     * One App per environment: a request whose environment has an App of its own ({@code
     * environments}) is performed by that App's executor ({@code apps}); every other request by
     * this one (the default App). An environment with an App of its own but no executor for it is
     * refused, never served by another App.
     */
    public ToolCallExecutor routing(AppEnvironments environments,
            Map<String, ToolCallExecutor> apps) {
        this.appEnvironments = environments;
        this.apps = Map.copyOf(apps);
        return this;
    }

    private ToolCallExecutor appFor(PolicyDecided decision) {
        AppEnvironments environments = appEnvironments;
        if (environments == null) {
            return this;
        }
        String environment = environments.appEnvironment(decision.getRequest().getEnvironment());
        return apps.getOrDefault(environment, this);
    }

    private java.util.Optional<String> missingApp(ToolCallRequested request) {
        AppEnvironments environments = appEnvironments;
        if (environments == null) {
            return java.util.Optional.empty();
        }
        String environment = environments.appEnvironment(request.getEnvironment());
        if (environment.equals(AppEnvironments.DEFAULT) || apps.containsKey(environment)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("environment '" + environment + "' has a GitHub App of its"
                + " own but this executor has none for it: set tollgate.github.environments."
                + environment + ".app-id and .private-key-file");
    }

    /**
     * Cleans every answer for the GitHub at {@code apiUrl} (its own host's download URLs too, for
     * GitHub Enterprise Server); by default, for api.github.com.
     */
    public ToolCallExecutor sanitizingFor(java.net.URI apiUrl) {
        this.sanitizer = AnswerSanitizer.forApi(apiUrl);
        return this;
    }

    /**
     * Answers cut to {@code limit}; GitHub's answers held in {@code budget} (the one its
     * transport reads into) until each call's answer is built.
     */
    public ToolCallExecutor limitedBy(AnswerLimit limit, ResponseBudget budget) {
        this.answerLimit = limit;
        this.responseBudget = budget;
        return this;
    }

    /**
     * Reads what agents write, withheld from the requests kept forever, from {@code source}
     * ({@code gateway.contents}); without one, every request with withheld content is refused.
     */
    public ToolCallExecutor readingContentFrom(ContentSource source) {
        this.contents = java.util.Objects.requireNonNull(source, "source");
        for (ToolCallExecutor app : apps.values()) {
            app.readingContentFrom(source);
        }
        return this;
    }

    /**
     * Acts on the forge hosts other than GitHub in {@code hosts} (each with its own credential);
     * a call on any other host is refused.
     */
    public ToolCallExecutor actingOn(ForgeHosts hosts) {
        this.forges = java.util.Objects.requireNonNull(hosts, "hosts");
        for (ToolCallExecutor app : apps.values()) {
            app.actingOn(hosts);
        }
        return this;
    }

    /**
     * Refuses ({@code decision_expired}, nothing done) every decision made longer than
     * {@code maxAge} ago by its signed {@code meta.occurredAt}: decisions are kept forever, so
     * without a bound one delivered again (a consumer group whose offsets Kafka dropped, a
     * replayed record) would be performed again once its completion is forgotten.
     *
     * @throws IllegalArgumentException when {@code maxAge} is not more than zero
     */
    public ToolCallExecutor refusingDecisionsOlderThan(Duration maxAge) {
        if (maxAge == null || maxAge.isZero() || maxAge.isNegative()) {
            throw new IllegalArgumentException("the longest a decision may wait must be more"
                    + " than 0, not " + maxAge);
        }
        this.maxDecisionAge = maxAge;
        for (ToolCallExecutor app : apps.values()) {
            app.refusingDecisionsOlderThan(maxAge);
        }
        return this;
    }

    /** Why a decision is too old to perform, if it is. */
    private Optional<GitHubError> expired(PolicyDecided decision) {
        Instant made = decision.getMeta() == null ? null : decision.getMeta().getOccurredAt();
        Instant now = clock.instant();
        if (made != null && !made.plus(maxDecisionAge).isBefore(now)) {
            return Optional.empty();
        }
        // Decisions are kept forever: one delivered again long after it was made is refused,
        // never performed again.
        return Optional.of(GitHubError.of(ErrorClass.DECISION_EXPIRED, 0, "the decision was made"
                + (made == null
                        ? " at no stated time"
                        : " at " + made + ", " + Duration.between(made, now).withNanos(0)
                                + " ago")
                + ", longer ago than the executor performs a decision"
                + " (tollgate.executor.max-decision-age, " + maxDecisionAge + "): it was"
                + " delivered again or very late; nothing was done: ask again for a fresh"
                + " decision", null));
    }

    /**
     * Why a write whose answer is no longer held must not be performed: the completion record may
     * have answered it and forgotten that (see {@link CompletionStore#claimWrite}); a read is
     * harmless to repeat.
     */
    private Optional<GitHubError> forgottenWrite(PolicyDecided decision, String requestId,
            Optional<Tool> tool) {
        if (!tool.map(Tool::isWrite).orElse(false)) {
            return Optional.empty();
        }
        return completions.claimWrite(requestId, decision.getMeta().getOccurredAt()).map(
                why -> GitHubError.of(ErrorClass.OUTCOME_UNKNOWN, 0, "request " + requestId
                        + " is a write this executor may have performed already: " + why
                        + "; it is not performed again, so nothing was done now: look for it"
                        + " (list or get it) before asking again", null));
    }

    /** Whether the decided tool is a GitHub tool (which a GitHub App performs). */
    private static boolean onGitHub(Optional<Tool> tool) {
        return tool.map(Tool::forge).orElse(Forge.GITHUB) == Forge.GITHUB;
    }

    /** Puts this executor's token cache under {@code guard} (installation registry, limits). */
    public ToolCallExecutor guardedBy(MintGuard guard) {
        if (tokens != null) {
            tokens.guardedBy(guard);
        }
        return this;
    }

    /** The final answer for this decision: an earlier one if the request ID was completed. */
    public ToolCallCompleted execute(PolicyDecided decision) {
        // An environment's own GitHub App performs its GitHub calls; other forges' calls carry
        // their host's credential, whichever App this executor has.
        Optional<Tool> tool = Tool.byToolName(decision.getRequest().getTool());
        ToolCallExecutor app = onGitHub(tool) ? appFor(decision) : this;
        if (app != this) {
            return app.execute(decision); // the request's environment has an App of its own
        }
        ToolCallRequested request = decision.getRequest();
        String requestId = requestId(decision);
        // A lock, not synchronized: calls run on virtual threads and block on GitHub inside.
        ReentrantLock lock = inProgress.computeIfAbsent(requestId, id -> new ReentrantLock());
        lock.lock();
        try {
            Optional<ToolCallCompleted> earlier = completions.find(requestId);
            if (earlier.isPresent()) {
                log.info("request {} was already completed: re-publishing its answer", requestId);
                return sanitizer.sanitize(earlier.get()); // unchanged unless recorded unclean
            }
            Optional<GitHubError> expired = expired(decision);
            if (expired.isPresent()) {
                log.warn("request {}: refusing its decision, made longer ago than {}", requestId,
                        maxDecisionAge);
                return completions.record(failed(decision, expired.get(), 0));
            }
            Optional<GitHubError> forgotten = forgottenWrite(decision, requestId, tool);
            if (forgotten.isPresent()) {
                log.warn("request {}: refusing a write this executor may have done already: {}",
                        requestId, forgotten.get().message());
                return completions.record(failed(decision, forgotten.get(), 0));
            }
            // Every answer, success or failure, passes here: no credential GitHub put in a URL
            // (a private download_url's token, a signed log URL) leaves the executor, and every
            // answer fits what Kafka carries (cleaned first, so the cut never splits a token).
            return completions.record(fitted(sanitizer.sanitize(perform(decision, request,
                    requestId, tool))));
        } finally {
            inProgress.remove(requestId, lock);
            lock.unlock();
        }
    }

    /**
     * The answer to a decision this executor refuses to perform at all (its signature does not
     * verify): {@code forbidden} with {@code reason}, built without touching GitHub or the
     * completion record, so a forgery carrying a real request's ID never stands in for that
     * request's answer later. Empty when the decision names no request ID to answer.
     */
    public Optional<ToolCallCompleted> refuse(PolicyDecided decision, String reason) {
        if (decision.getRequest() == null || decision.getRequest().getMeta() == null) {
            return Optional.empty();
        }
        try {
            requestId(decision);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(failed(decision, GitHubError.of(ErrorClass.FORBIDDEN, 0, reason
                + "; nothing was done", null), 0));
    }

    private ToolCallCompleted perform(PolicyDecided decision, ToolCallRequested request,
            String requestId, Optional<Tool> tool) {
        java.util.Optional<String> missing = onGitHub(tool)
                ? missingApp(request)
                : java.util.Optional.empty();
        if (missing.isPresent()) {
            return failed(decision, GitHubError.of(ErrorClass.FORBIDDEN, 0, missing.get(), null),
                    0);
        }
        if (!decision.getAllowed()) {
            return failed(decision, GitHubError.of(ErrorClass.FORBIDDEN, 0,
                    "the decision did not allow this call: " + decision.getReason(), null), 0);
        }
        if (tokens == null && onGitHub(tool)) {
            return failed(decision, GitHubError.of(ErrorClass.GITHUB_NOT_CONFIGURED, 0,
                    "allowed by policy but not performed: this executor has no GitHub App (it"
                            + " acts on " + (forges.names().isEmpty()
                                    ? "no forge"
                                    : String.join(", ", forges.names()))
                            + " only); its operator sets tollgate.github.app-id and"
                            + " tollgate.github.private-key-file",
                    null), 0);
        }
        GitHubSession session = null;
        ResponseBudget budget = responseBudget;
        ResponseBudget.Account account = budget == null ? null : budget.account();
        try {
            ToolCall call = callOf(decision, request, tool);
            Target target = call.target();
            List<String> repositories = decision.getRepositories().isEmpty()
                    ? List.of(target.repository())
                    : List.copyOf(decision.getRepositories());
            if (repositories.stream().noneMatch(r -> r.equalsIgnoreCase(target.repository()))) {
                throw Refusal.forbidden("the call targets " + target.repository()
                        + ", which the decision did not name");
            }
            MintContext context = new MintContext(requestId, request.getAgentId(), request
                    .getEnvironment());
            if (call.tool().forge() == Forge.GITHUB) {
                Map<String, String> permissions = narrowed(permissions(call.tool(), decision
                        .getPermissions()), call.call().permissions());
                long installationId = decision.getInstallationId() != null
                        ? decision.getInstallationId()
                        : installations.installationFor(target.owner(), target.repo());
                TokenScope scope = TokenScope.of(installationId, repositories, permissions);
                session = new GitHubSession(tokens, transport, scope, context, clock, account);
            } else {
                session = forges.session(call.tool().forge(), target.host(), target
                        .repository(), context, clock, account);
            }
            // Recorded before anything is written: a durable store then knows whether an earlier
            // delivery may have written, and only then does the handler search for its marker.
            boolean firstAttempt = call.tool().isWrite() && completions.firstAttempt(requestId);
            ToolCall withSession = new ToolCall(requestId, call.call(), repositories, List.copyOf(
                    decision.getPreconditions()), session, resultBudget(decision),
                    decision
                            .getMeta().getOccurredAt(),
                    firstAttempt);
            JsonNode result = ToolHandlers.of(call.tool()).orElseThrow(() -> Refusal.invalid(call
                    .tool().toolName() + " is answered by the ingress")).perform(withSession);
            ToolCallCompleted answer = succeeded(decision, result, session);
            return answerLimit.fits(answer)
                    ? answer
                    : tooLarge(decision, withSession, result, session);
        } catch (GitHubCallException e) {
            GitHubError error = session == null ? e.error() : session.answerFor(e.error());
            log.info("request {} ({}) failed: {}", requestId, request.getTool(), error
                    .describe());
            return failed(decision, error, session == null ? 0 : session.attempts());
        } catch (IllegalArgumentException e) {
            return failed(decision, GitHubError.of(ErrorClass.VALIDATION_FAILED, 0, e
                    .getMessage(), null), session == null ? 0 : session.attempts());
        } catch (RuntimeException e) {
            // A bug or an answer we cannot read: answer rather than redeliver forever. Once a
            // write was sent it may have been done, and asking again would do it again.
            log.error("request {} ({}) failed unexpectedly", requestId, request.getTool(), e);
            boolean wrote = session != null && session.writeAttempted();
            return failed(decision, wrote
                    ? GitHubError.of(ErrorClass.OUTCOME_UNKNOWN, 0, "the executor could not"
                            + " complete the call (" + e.getClass().getSimpleName() + ") after"
                            + " sending a write, so it may have been done: look for it before"
                            + " asking again", null)
                    : GitHubError.of(ErrorClass.TRANSIENT, 0, "the executor could not complete"
                            + " the call (" + e.getClass().getSimpleName() + "); it may be"
                            + " retried", null),
                    session == null
                            ? 0
                            : session.attempts());
        } finally {
            if (account != null) {
                account.close(); // the answer is built: GitHub's bodies are no longer needed
            }
        }
    }

    /** The bytes a result's JSON may take for this decision's successful answer to fit. */
    private int resultBudget(PolicyDecided decision) {
        return answerLimit.resultBudget(base(decision).setStatus(CallStatus.SUCCEEDED).setMessage(
                decision.getRequest().getTool() + " succeeded").setResultJson("")
                .setUpstreamStatus(599).setAttempts(Integer.MAX_VALUE).build());
    }

    /**
     * A successful result too large for an answer: a read is answered {@code result_too_large},
     * saying how to ask for less; a write was done, so it is answered as done, with a note in
     * place of the result (repeating it would be wrong, and its marker would find it anyway).
     */
    private ToolCallCompleted tooLarge(PolicyDecided decision, ToolCall call, JsonNode result,
            GitHubSession session) {
        long size = Narrowing.jsonBytes(result);
        String tool = decision.getRequest().getTool();
        if (call.tool().isWrite()) {
            return base(decision).setStatus(CallStatus.SUCCEEDED).setMessage(tool + " succeeded;"
                    + " its answer (" + size + " bytes) is larger than an answer may carry ("
                    + call.resultBudget() + " bytes), so only this note is given").setResultJson(
                            "{\"answer_omitted\":true}")
                    .setUpstreamStatus(session.lastStatus() == 0 ? null : session.lastStatus())
                    .setAttempts(session.attempts()).build();
        }
        GitHubCallException error = Narrowing.tooLarge(tool
                + "'s answer", size, call.resultBudget(), Narrowing.hint(call, result, size));
        return failed(decision, error.error(), session.attempts());
    }

    /**
     * {@code answer} if it fits the limit; else the same answer with its long texts cut (a
     * failure's message and details), so that whatever happened is still answered.
     */
    ToolCallCompleted fitted(ToolCallCompleted answer) {
        if (answerLimit.fits(answer)) {
            return answer;
        }
        int size = AnswerLimit.sizeOf(answer);
        String message = answer.getMessage();
        ToolCallCompleted cut = ToolCallCompleted.newBuilder(answer)
                .setMessage(
                        (message.length() > MAX_CUT_MESSAGE
                                ? message.substring(0, MAX_CUT_MESSAGE) + "…"
                                : message)
                                + " (answer cut: it was " + size + " bytes, more than the "
                                + answerLimit
                                        .maxBytes()
                                + " an answer may take)")
                .setErrorDetailsJson(null).build();
        if (answerLimit.fits(cut)) {
            return cut;
        }
        return ToolCallCompleted.newBuilder(cut).setResultJson(null).build();
    }

    /** How much of a message an answer cut to fit keeps. */
    private static final int MAX_CUT_MESSAGE = 4096;

    /** The decision's permissions, refused if they exceed the action's own row. */
    static Map<String, String> permissions(Tool action, Map<String, String> decided) {
        if (decided == null || decided.isEmpty()) {
            return action.permissions();
        }
        for (Map.Entry<String, String> entry : decided.entrySet()) {
            String allowed = action.permissions().get(entry.getKey());
            boolean within = allowed != null && (allowed.equals(entry.getValue()) || (allowed
                    .equals("write") && entry.getValue().equals("read")));
            if (!within) {
                throw Refusal.forbidden("the decision asks for " + entry.getKey() + ":"
                        + entry.getValue()
                        + ", more than " + action.toolName() + " needs (" + action.permissions()
                        + ")");
            }
        }
        return Map.copyOf(decided);
    }

    /**
     * The decided permissions narrowed to what this one call needs (its tool's definition says,
     * e.g. only issues for a passthrough GET of issues); the decided ones if the call needs none
     * of them (GitHub will then refuse it, as it should).
     */
    static Map<String, String> narrowed(Map<String, String> decided, Map<String, String> needed) {
        Map<String, String> narrowed = new java.util.TreeMap<>();
        needed.forEach((permission, access) -> {
            String granted = decided.get(permission);
            if (granted != null) {
                narrowed.put(permission, granted.equals("write") && access.equals("write")
                        ? "write"
                        : "read");
            }
        });
        return narrowed.isEmpty() ? decided : Map.copyOf(narrowed);
    }

    /**
     * The decided call, parsed again by its tool's one definition: the executor acts on the target
     * that definition gives, and refuses a decision whose carried target differs from it.
     */
    private ToolCall callOf(PolicyDecided decision, ToolCallRequested request,
            Optional<Tool> decided) {
        Tool tool = decided.orElseThrow(() -> Refusal.invalid("unknown tool " + request
                .getTool()));
        if (!tool.reachesGitHub()) {
            throw Refusal.invalid(tool.toolName() + " is answered by the ingress");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = GitHubSession.JSON.convertValue(parseArguments(request
                .getArgumentsJson()), Map.class);
        if (request.getContent() != null) {
            arguments = withContent(tool, arguments, requestId(decision), request.getContent());
        }
        ValidatedCall call;
        try {
            call = tool.definition().validate(arguments);
        } catch (InvalidArgumentException e) {
            // Never from the ingress, which validates with the same definition: refuse to act.
            throw Refusal.forbidden(tool.toolName() + "'s arguments are refused by its"
                    + " definition: " + e.getMessage());
        }
        if (request.getContent() == null) {
            if (WithheldContent.anyWithheld(call.tool(), call.arguments())) {
                throw Refusal.forbidden("the request carries proofs of withheld content but not"
                        + " where it waits: nothing to write");
            }
        } else {
            // the ingress scanned all of it; this second look, bounded, is the last before GitHub
            Optional<String> credential = WrittenContent.refusal(tool.toolName(), WrittenContent
                    .credentials(call, SECOND_LOOK_CHARS));
            if (credential.isPresent()) {
                throw Refusal.forbidden(credential.get());
            }
        }
        if (request.getTarget() != null && !TargetEvents.fromEvent(request.getTarget()).equals(
                call.requireTarget())) {
            throw Refusal.forbidden("the decision's target does not match its arguments:"
                    + " refusing to act on either");
        }
        return new ToolCall(requestId(decision), call, List.of(), List.of(), null, 0, decision
                .getMeta().getOccurredAt(), false);
    }

    /**
     * {@code arguments} with the values withheld from them read back from {@link #contents}, each
     * checked against the proof in its place (which the signed decision carries).
     */
    private Map<String, Object> withContent(Tool tool, Map<String, Object> arguments,
            String requestId, ContentReference reference) {
        Map<String, String> values;
        try {
            values = contents.values(requestId, reference);
        } catch (ContentSource.Unavailable e) {
            throw new GitHubCallException(GitHubError.of(e.transientFailure()
                    ? ErrorClass.TRANSIENT
                    : ErrorClass.FORBIDDEN, 0, e.getMessage(), null));
        }
        try {
            return WithheldContent.restore(tool.definition(), arguments, values);
        } catch (WithheldContent.MismatchException e) {
            throw Refusal.forbidden("the withheld content does not match the decision's proofs ("
                    + e.getMessage() + "): refusing to write it");
        }
    }

    private static JsonNode parseArguments(String json) {
        try {
            JsonNode node = GitHubSession.JSON
                    .readTree(json == null || json.isBlank() ? "{}" : json);
            if (!node.isObject()) {
                throw Refusal.invalid("tool arguments must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw Refusal.invalid("tool arguments are not JSON");
        }
    }

    static String requestId(PolicyDecided decision) {
        String id = decision.getRequest().getMeta().getRequestId();
        if (id == null) {
            id = decision.getMeta().getRequestId();
        }
        if (id == null) {
            throw new IllegalArgumentException("a decision without a request ID cannot be"
                    + " performed at most once");
        }
        return id;
    }

    private ToolCallCompleted succeeded(PolicyDecided decision, JsonNode result,
            GitHubSession session) {
        ToolCallRequested request = decision.getRequest();
        return base(decision).setStatus(CallStatus.SUCCEEDED).setMessage(request.getTool()
                + " succeeded").setResultJson(GitHubSession.JSON.writeValueAsString(result))
                .setUpstreamStatus(session.lastStatus() == 0 ? null : session.lastStatus())
                .setAttempts(session.attempts()).build();
    }

    private ToolCallCompleted failed(PolicyDecided decision, GitHubError error, int attempts) {
        return base(decision).setStatus(CallStatus.FAILED).setErrorCode(error.code())
                .setRetryable(error.retryable()).setRetryAt(error.retryAt().orElse(null))
                .setMessage(error.describe()).setUpstreamStatus(error.status() == 0
                        ? null
                        : error.status())
                .setAttempts(attempts).setErrorDetailsJson(errorDetails(error)).build();
    }

    /** GitHub's field errors and the permissions it said it accepts, for the agent to act on. */
    static String errorDetails(GitHubError error) {
        if (error.fieldErrors().isEmpty() && error.acceptedPermissions().isEmpty() && error
                .documentationUrl().isEmpty()) {
            return null;
        }
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        if (!error.fieldErrors().isEmpty()) {
            details.put("errors", error.fieldErrors());
        }
        error.acceptedPermissions().ifPresent(value -> details.put("accepted_permissions",
                value));
        error.documentationUrl().ifPresent(value -> details.put("documentation_url", value));
        return GitHubSession.JSON.writeValueAsString(details);
    }

    private ToolCallCompleted.Builder base(PolicyDecided decision) {
        ToolCallRequested request = decision.getRequest();
        return ToolCallCompleted.newBuilder().setMeta(EventMetas.create(Roles.EXECUTOR_WORKER,
                requestId(decision), clock)).setAgentId(request.getAgentId()).setEnvironment(
                        request.getEnvironment())
                .setTool(request.getTool()).setPolicyVersion(
                        decision.getPolicyVersion())
                .setResource(request.getResource());
    }

}
