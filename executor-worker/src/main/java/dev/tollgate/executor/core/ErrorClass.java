package dev.tollgate.executor.core;

/**
 * The closed set of ways a GitHub call can fail, as agents and the audit trail see them. The
 * {@link #code()} is a stable wire value ({@code ToolCallCompleted.errorCode}); never rename one.
 */
public enum ErrorClass {
    /** Primary rate limit exhausted: retry at {@code x-ratelimit-reset}. */
    RATE_LIMITED("rate_limited", true),
    /** Secondary (abuse) limit: retry after {@code retry-after} or at least 60 s, backing off. */
    SECONDARY_RATE_LIMITED("secondary_rate_limited", true),
    /** The token lacks a permission or the action is refused; retrying changes nothing. */
    FORBIDDEN("forbidden", false),
    /** Missing, or private and invisible to this token. */
    NOT_FOUND("not_found", false),
    /** GitHub refused the request as made (400/422), with its {@code errors[]}. */
    VALIDATION_FAILED("validation_failed", false),
    /** The resource changed under us (409), e.g. a ref moved or an empty repository. */
    CONFLICT("conflict", false),
    /** The credential was refused even after one refresh. */
    UNAUTHORIZED("unauthorized", false),
    /** 5xx, timeouts, connection resets: may succeed if tried again. */
    TRANSIENT("transient", true),
    /** Not attempted: the circuit breaker for the GitHub host is open. */
    UPSTREAM_UNAVAILABLE("upstream_unavailable", true);

    private final String code;
    private final boolean retryable;

    ErrorClass(String code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    /** The stable wire code, e.g. {@code secondary_rate_limited}. */
    public String code() {
        return code;
    }

    /** Whether the same call may succeed later without any change by the agent. */
    public boolean retryable() {
        return retryable;
    }
}
