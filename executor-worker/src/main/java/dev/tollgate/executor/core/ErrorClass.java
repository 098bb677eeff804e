package dev.tollgate.executor.core;

import dev.tollgate.tools.ErrorCode;

/**
 * The closed set of ways a GitHub call can fail, as agents and the audit trail see them. Each is
 * one of the agent-visible {@link ErrorCode}s, whose {@link #code()} is a stable wire value
 * ({@code ToolCallCompleted.errorCode}) and whose retryability it takes.
 */
public enum ErrorClass {
    /** Primary rate limit exhausted: retry at {@code x-ratelimit-reset}. */
    RATE_LIMITED(ErrorCode.RATE_LIMITED),
    /** Secondary (abuse) limit: retry after {@code retry-after} or at least 60 s, backing off. */
    SECONDARY_RATE_LIMITED(ErrorCode.SECONDARY_RATE_LIMITED),
    /** The token lacks a permission or the action is refused; retrying changes nothing. */
    FORBIDDEN(ErrorCode.FORBIDDEN),
    /** Missing, or private and invisible to this token. */
    NOT_FOUND(ErrorCode.NOT_FOUND),
    /** GitHub refused the request as made (400/422), with its {@code errors[]}. */
    VALIDATION_FAILED(ErrorCode.VALIDATION_FAILED),
    /** The resource changed under us (409), e.g. a ref moved or an empty repository. */
    CONFLICT(ErrorCode.CONFLICT),
    /** The credential was refused even after one refresh. */
    UNAUTHORIZED(ErrorCode.UNAUTHORIZED),
    /** 5xx, timeouts, connection resets: may succeed if tried again. */
    TRANSIENT(ErrorCode.TRANSIENT),
    /**
     * A write sent to GitHub whose answer was lost (broken after sending, a timeout, a 5xx): it
     * may have been performed, so it is neither repeated nor called retryable.
     */
    OUTCOME_UNKNOWN(ErrorCode.OUTCOME_UNKNOWN),
    /** Not attempted: the circuit breaker for the GitHub host is open. */
    UPSTREAM_UNAVAILABLE(ErrorCode.UPSTREAM_UNAVAILABLE),
    /**
     * The answer is larger than one answer may be (what Kafka carries), or GitHub's answer is
     * larger than the executor reads: the message says the size, the limit and how to ask for less.
     */
    RESULT_TOO_LARGE(ErrorCode.RESULT_TOO_LARGE),
    /** Not attempted: this executor has no GitHub App (it acts on other forges only). */
    GITHUB_NOT_CONFIGURED(ErrorCode.GITHUB_NOT_CONFIGURED),
    /**
     * The API answered with a redirect (3xx), which no transport follows with the credential: it
     * could lead to another route of the same API, or another host, than the decision named.
     */
    REDIRECT_NOT_FOLLOWED(ErrorCode.REDIRECT_NOT_FOLLOWED),
    /**
     * Not attempted: the decision's signed time is older than the executor performs one, so a
     * decision delivered again long after (lost offsets, a replay) is never performed again.
     */
    DECISION_EXPIRED(ErrorCode.DECISION_EXPIRED);

    private final ErrorCode errorCode;

    ErrorClass(ErrorCode errorCode) {
        this.errorCode = errorCode;
    }

    /** The stable wire code, e.g. {@code secondary_rate_limited}. */
    public String code() {
        return errorCode.code();
    }

    /** Whether the same call may succeed later without any change by the agent. */
    public boolean retryable() {
        return errorCode.retryable();
    }
}
