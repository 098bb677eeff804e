package dev.tollgate.tools;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every error code an agent can read in an answer ({@code error_code}; for the ingress's own
 * refusals, {@code status}), with the role that gives it and whether trying the same call again
 * may succeed. Stable wire values: never rename one.
 */
public enum ErrorCode {

    // ---- the ingress, before anything is published ------------------------------------------
    /** No valid gateway token on the request. */
    UNAUTHENTICATED("unauthenticated", Role.INGRESS, false,
            "no valid gateway token on the request"),
    /** The tool name is not in the catalogue. */
    UNKNOWN_TOOL("unknown_tool", Role.INGRESS, false, "the tool does not exist"),
    /** The arguments failed the tool's schema or naming rules; {@code field} names which. */
    INVALID_ARGUMENTS("invalid_arguments", Role.INGRESS, false,
            "the arguments failed the tool's checks; 'field' names the first bad one"),
    /** Kafka did not take the call, or the gateway is draining; nothing was done. */
    NOT_ACCEPTED("not_accepted", Role.INGRESS, true,
            "the gateway could not queue the call; nothing was done"),

    // ---- the decision worker ----------------------------------------------------------------
    /** No grant permits the call, a deny rule matched, or the token's narrowing leaves it out. */
    POLICY_DENIED("policy_denied", Role.DECISION_WORKER, false,
            "the policy does not allow the call; the message says which grant is missing"),
    /** Never allowed, whatever the policy: not a tool, traversal, a protected branch. */
    HARD_BLOCKED("hard_blocked", Role.DECISION_WORKER, false,
            "never allowed through Tollgate, whatever the policy says"),
    /**
     * Never allowed, whatever the policy: the write carries what looks like a credential (a
     * token, a private key, a password); the message names its kind and where, never its value.
     */
    SECRET_IN_CONTENT("secret_in_content", Role.INGRESS, false,
            "the write carries what looks like a credential; the message says what and where:"
                    + " remove it, or use a secret store (refused before Kafka sees it; the"
                    + " decision worker refuses the same)"),
    /** Allowed by policy, but the GitHub App is not installed on the repository. */
    NOT_INSTALLED("not_installed", Role.DECISION_WORKER, false,
            "the GitHub App is not installed there, or the installation is suspended"),
    /**
     * Allowed by policy, but not performed: the gateway runs without a GitHub App (the standalone
     * run's try-it mode), so nothing can reach GitHub until one is configured.
     */
    GITHUB_NOT_CONFIGURED("github_not_configured", Role.DECISION_WORKER, false,
            "allowed by policy but not performed: this gateway runs without a GitHub App"
                    + " (try-it mode); its operator sets tollgate.github.app-id and"
                    + " tollgate.github.private-key-file"),
    /** The request could not be decided (unreadable, or its target does not match its call). */
    INVALID_REQUEST("invalid_request", Role.DECISION_WORKER, false,
            "the request could not be decided as sent"),

    // ---- the executor, from GitHub's answer --------------------------------------------------
    /** Primary rate limit exhausted: retry at {@code retry_at}. */
    RATE_LIMITED("rate_limited", Role.EXECUTOR_WORKER, true,
            "GitHub's rate limit is exhausted; retry at retry_at"),
    /** Secondary (abuse) limit. */
    SECONDARY_RATE_LIMITED("secondary_rate_limited", Role.EXECUTOR_WORKER, true,
            "GitHub's secondary rate limit; retry later, backing off"),
    /** The token lacks a permission, or a precondition refused the call. */
    FORBIDDEN("forbidden", Role.EXECUTOR_WORKER, false,
            "refused by GitHub or by a precondition; retrying changes nothing"),
    /** Missing, or private and invisible to this token. */
    NOT_FOUND("not_found", Role.EXECUTOR_WORKER, false, "not there, or not visible"),
    /** GitHub refused the request as made, with its field errors in {@code details}. */
    VALIDATION_FAILED("validation_failed", Role.EXECUTOR_WORKER, false,
            "GitHub refused the request as made; 'details' has its errors"),
    /** The resource changed under the call, e.g. a branch moved. */
    CONFLICT("conflict", Role.EXECUTOR_WORKER, false, "the resource changed under the call"),
    /** The credential was refused even after one refresh. */
    UNAUTHORIZED("unauthorized", Role.EXECUTOR_WORKER, false,
            "GitHub refused the gateway's credential"),
    /** 5xx, timeouts, connection resets. */
    TRANSIENT("transient", Role.EXECUTOR_WORKER, true, "a passing failure; may succeed later"),
    /**
     * A write was sent to GitHub and no answer came back (the connection broke after sending, a
     * timeout, or a 5xx, which may hide a success): it may have been done. Not retryable: the
     * same call again is a new request, which GitHub would perform a second time.
     */
    OUTCOME_UNKNOWN("outcome_unknown", Role.EXECUTOR_WORKER, false,
            "the write was sent but GitHub's answer was lost, so it may have been done; look (list"
                    + " or get it) before asking again"),
    /** Not attempted: the circuit breaker is open. */
    UPSTREAM_UNAVAILABLE("upstream_unavailable", Role.EXECUTOR_WORKER, true,
            "GitHub is failing; the call was not attempted"),
    /**
     * The answer is larger than one answer may be (what Kafka carries, or what the executor reads
     * from GitHub); the message gives the size found, the limit and how to ask for less.
     */
    RESULT_TOO_LARGE("result_too_large", Role.EXECUTOR_WORKER, false,
            "the answer is larger than one answer may be; the message gives its size, the limit"
                    + " and how to ask for less (a line range, a page)"),
    /**
     * The forge's API answered with a redirect (3xx), which Tollgate does not follow: a redirect
     * could carry the gateway's credential to a route or host the decision never named. Nothing
     * was fetched from where it pointed.
     */
    REDIRECT_NOT_FOLLOWED("redirect_not_followed", Role.EXECUTOR_WORKER, false,
            "the API answered with a redirect, which Tollgate does not follow (it could carry the"
                    + " gateway's credential elsewhere); nothing was fetched from where it"
                    + " pointed"),
    /**
     * The decision is older than the executor performs one ({@code
     * tollgate.executor.max-decision-age}): delivered again long after it was made (lost consumer
     * offsets, a replay). Nothing was done.
     */
    DECISION_EXPIRED("decision_expired", Role.EXECUTOR_WORKER, false,
            "the decision is older than the executor performs one (it was delivered again or very"
                    + " late); nothing was done: ask again for a fresh decision");

    /** The role that gives a code. */
    public enum Role {
        INGRESS, DECISION_WORKER, EXECUTOR_WORKER
    }

    private final String code;
    private final Role role;
    private final boolean retryable;
    private final String meaning;

    ErrorCode(String code, Role role, boolean retryable, String meaning) {
        this.code = code;
        this.role = role;
        this.retryable = retryable;
        this.meaning = meaning;
    }

    /** The stable wire value, e.g. {@code policy_denied}. */
    public String code() {
        return code;
    }

    public Role role() {
        return role;
    }

    /** Whether the same call may succeed later without any change by the agent. */
    public boolean retryable() {
        return retryable;
    }

    /** One line for the agent-facing documentation. */
    public String meaning() {
        return meaning;
    }

    public static Optional<ErrorCode> byCode(String code) {
        return Arrays.stream(values()).filter(value -> value.code.equals(code)).findFirst();
    }
}
