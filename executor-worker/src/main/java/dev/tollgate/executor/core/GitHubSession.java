package dev.tollgate.executor.core;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls GitHub for one request with a token of exactly the request's scope. A 401 right after use
 * refreshes the token once and retries once (a new token can briefly 401 while it replicates; an
 * expired one always does). Non-2xx answers become {@link GitHubCallException}s, classified; a
 * successful answer larger than the executor reads becomes one too ({@code result_too_large}).
 * The bytes of every answer are kept by the call's {@link ResponseBudget.Account}, if it has one.
 * A write whose answer was lost after it was sent (the exchange broke, timed out, or GitHub
 * answered 5xx, which may hide a success) marks the session {@link #writeMayHaveHappened()}: its
 * failure is then answered {@code outcome_unknown}, never as a retryable {@code transient}.
 */
public final class GitHubSession {

    /** The one JSON mapper of the executor core. */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final InstallationTokens tokens;
    private final GitHubTransport transport;
    private final TokenScope scope;
    private final MintContext context;
    private final Clock clock;
    private final ResponseBudget.Account account;
    /** A forge host's own credential (no installation token): or null. */
    private final HostCredential fixed;
    /** How this forge's failures are told. */
    private final ForgeErrors errors;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile int lastStatus;
    private volatile boolean writeAttempted;
    private volatile boolean writeOutcomeLost;

    public GitHubSession(InstallationTokens tokens, GitHubTransport transport, TokenScope scope,
            MintContext context, Clock clock) {
        this(tokens, transport, scope, context, clock, null);
    }

    /**
     * @param account keeps the bytes of this call's answers until the call has built its own
     *        (null: each answer's bytes are given back once read)
     */
    public GitHubSession(InstallationTokens tokens, GitHubTransport transport, TokenScope scope,
            MintContext context, Clock clock, ResponseBudget.Account account) {
        this.tokens = tokens;
        this.transport = transport;
        this.scope = scope;
        this.context = context;
        this.clock = clock;
        this.account = account;
        this.fixed = null;
        this.errors = ForgeErrors.GITHUB;
    }

    private GitHubSession(HostCredential credential, ForgeErrors errors,
            GitHubTransport transport, MintContext context, Clock clock,
            ResponseBudget.Account account) {
        this.tokens = null;
        this.transport = transport;
        this.scope = null;
        this.context = context;
        this.clock = clock;
        this.account = account;
        this.fixed = java.util.Objects.requireNonNull(credential, "credential");
        this.errors = java.util.Objects.requireNonNull(errors, "errors");
    }

    /**
     * A session on a forge other than GitHub, whose calls all carry the host's own
     * {@code credential}: it mints nothing and cannot narrow it. A 401 is sent once more with a
     * fresher credential when the credential has one (an OAuth access token renewed), else
     * answered as it is; its failures are told by {@code errors}.
     */
    public static GitHubSession withHostCredential(HostCredential credential,
            ForgeErrors errors, GitHubTransport transport, MintContext context, Clock clock,
            ResponseBudget.Account account) {
        return new GitHubSession(credential, errors, transport, context, clock, account);
    }

    /** Sends and returns the answer whatever its status (after the one 401 refresh). */
    public GitHubResponse send(String method, String path, Optional<String> body) {
        if (fixed != null) {
            GitHubRequest.Credential credential = fixed.current();
            GitHubResponse response = sendWith(credential, 0, method, path, body);
            if (response.status() == 401) {
                Optional<GitHubRequest.Credential> fresh = fixed.refreshAfterUnauthorized(
                        credential);
                if (fresh.isPresent()) {
                    response = sendWith(fresh.get(), 0, method, path, body);
                }
            }
            lastStatus = response.status();
            return response;
        }
        InstallationToken token = tokens.get(scope, context);
        GitHubResponse response = sendWith(token, method, path, body);
        if (response.status() == 401 && !token.staticFallback()) {
            InstallationToken fresh = tokens.refreshAfterUnauthorized(token, context);
            response = sendWith(fresh, method, path, body);
        }
        lastStatus = response.status();
        return response;
    }

    /**
     * For a GET of {@code path} that GitHub answered with {@code redirect} where a redirect is
     * its documented answer (a job's log, to a short-lived signed URL): fetches where it points,
     * once, without the credential, and returns its 2xx answer. Where it may not lead
     * ({@link RedirectTarget}) is thrown as {@code redirect_not_followed}; any other answer, or
     * none, is thrown classified as the log storage's ({@link ErrorClassifier#logStorageAnswered},
     * {@link ErrorClassifier#logStorageFailed}), never as GitHub's.
     */
    public GitHubResponse followRedirect(String path, GitHubResponse redirect) {
        GitHubRequest.Caller caller = new GitHubRequest.Caller(scope == null
                ? 0
                : scope.installationId(), context.agentId());
        String location = redirect.headers().first("location").orElse(null);
        GitHubResponse response;
        try {
            response = transport.fetchRedirect(path, redirect, caller, account);
        } catch (IOException e) {
            attempts.incrementAndGet();
            throw new GitHubCallException(ErrorClassifier.logStorageFailed(path, location, e));
        }
        attempts.incrementAndGet();
        lastStatus = response.status();
        if (!response.isSuccess()) {
            throw new GitHubCallException(ErrorClassifier.logStorageAnswered(path, location,
                    response.status(), response.headers(), clock.instant()));
        }
        if (!response.complete()) {
            throw new GitHubCallException(GitHubError.of(ErrorClass.RESULT_TOO_LARGE, response
                    .status(),
                    "the answer GitHub redirected GET " + path + " to is larger"
                            + " than " + response.tooLarge().limit() + " bytes (at least "
                            + response.tooLarge().atLeast() + "), the most the executor"
                            + " reads of one answer (tollgate.github.max-response-bytes)",
                    null));
        }
        return response;
    }

    /**
     * Why the one redirect followed by hand would be refused now, asked before the request that
     * leads to it is sent (the log storage's breaker is open): that request would spend the
     * installation's rate limit on an answer that cannot be followed. Empty when it may be
     * fetched (where it leads is still checked when it is).
     */
    public Optional<GitHubError> redirectRefusal() {
        return transport.redirectRefusal();
    }

    /** Sends and parses a 2xx JSON answer; anything else is thrown, classified. */
    public JsonNode call(String method, String path, Object body) {
        Optional<String> json = body == null
                ? Optional.empty()
                : Optional.of(body instanceof String s ? s : JSON.writeValueAsString(body));
        GitHubResponse response = send(method, path, json);
        if (!response.isSuccess()) {
            throw new GitHubCallException(errors.classify(response.status(), response
                    .headers(), response.body(), clock.instant()));
        }
        try {
            return response.body().isBlank()
                    ? JSON.createObjectNode()
                    : JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new GitHubCallException(GitHubError.of(ErrorClass.TRANSIENT, response.status(),
                    errors.upstream() + "'s answer is not JSON", null));
        }
    }

    /**
     * The forge host's own credential this session's calls carry now (an OAuth access token is
     * asked for if none is held: see {@link HostCredential#current()}); empty on GitHub.
     */
    public Optional<GitHubRequest.Credential> hostCredential() {
        return fixed == null ? Optional.empty() : Optional.of(fixed.current());
    }

    /** The agent whose call this session serves (for markers that name their owner). */
    public String agentId() {
        return context.agentId();
    }

    public JsonNode get(String path) {
        return call("GET", path, null);
    }

    /** A GET that answers empty for 404 (an absent branch, file or ref). */
    public Optional<JsonNode> find(String path) {
        GitHubResponse response = send("GET", path, Optional.empty());
        if (response.status() == 404) {
            return Optional.empty();
        }
        if (!response.isSuccess()) {
            throw new GitHubCallException(errors.classify(response.status(), response
                    .headers(), response.body(), clock.instant()));
        }
        return Optional.of(JSON.readTree(response.body()));
    }

    /** Classifies a non-2xx answer at the session's clock. */
    public GitHubError classify(GitHubResponse response) {
        return errors.classify(response.status(), response.headers(), response.body(), clock
                .instant());
    }

    /**
     * Whether a write was handed to the transport, whatever came of it: after an unexpected
     * failure, such a call may have been done.
     */
    public boolean writeAttempted() {
        return writeAttempted;
    }

    /**
     * Whether a write was sent and its answer lost (broken after sending, a timeout, a 5xx): it
     * may have been performed.
     */
    public boolean writeMayHaveHappened() {
        return writeOutcomeLost;
    }

    /**
     * What a call that failed with {@code error} is answered: {@code outcome_unknown} once a
     * write of it may have happened, since asking again would be a new request and GitHub would
     * perform it a second time; {@code error} otherwise.
     */
    public GitHubError answerFor(GitHubError error) {
        if (!writeOutcomeLost || error.errorClass() == ErrorClass.OUTCOME_UNKNOWN) {
            return error;
        }
        return GitHubError.of(ErrorClass.OUTCOME_UNKNOWN, error.status(), "a write was sent to "
                + errors.upstream() + " and its answer was lost (" + error.describe()
                + "), so it may have"
                + " been done: look for it (list or get it) before asking again", null);
    }

    /** Calls made to GitHub for this request, retries included. */
    public int attempts() {
        return attempts.get();
    }

    /** GitHub's status on the last call, 0 if none. */
    public int lastStatus() {
        return lastStatus;
    }

    private GitHubResponse sendWith(InstallationToken token, String method, String path,
            Optional<String> body) {
        return sendWith(new GitHubRequest.Credential.Token(token), scope.installationId(), method,
                path, body);
    }

    private GitHubResponse sendWith(GitHubRequest.Credential credential, long installationId,
            String method, String path, Optional<String> body) {
        GitHubRequest request = new GitHubRequest(method, path, credential, body,
                new GitHubRequest.Caller(installationId, context.agentId()), account);
        boolean write = request.isWrite();
        writeAttempted |= write;
        try {
            GitHubResponse response = transport.send(request);
            attempts.addAndGet(response.attempts());
            if (write && (response.status() >= 500 || response.status() == 408)) {
                writeOutcomeLost = true;
            }
            if (response.isSuccess() && !response.complete()) {
                lastStatus = response.status();
                throw new GitHubCallException(ErrorClassifier.responseTooLarge(request, response
                        .status(), response.tooLarge().atLeast(), response.tooLarge().limit()));
            }
            return response;
        } catch (IOException e) {
            attempts.incrementAndGet();
            if (write && !neverSent(e)) {
                writeOutcomeLost = true;
            }
            throw new GitHubCallException(errors.classifyFailure(e));
        }
    }

    /** No connection could be made: nothing was sent (the transport has already retried). */
    private static boolean neverSent(IOException e) {
        return e instanceof ConnectException || e instanceof UnknownHostException
                || e instanceof NoRouteToHostException;
    }
}
