package dev.tollgate.executor.core;

/** The executor's own refusals, before or instead of a GitHub call. */
public final class Refusal {

    private Refusal() {
    }

    /** A call that cannot be performed as sent (answered as validation_failed). */
    public static IllegalArgumentException invalid(String message) {
        return new IllegalArgumentException(message);
    }

    /** A call the executor refuses to perform (answered as forbidden). */
    public static GitHubCallException forbidden(String message) {
        return new GitHubCallException(GitHubError.of(ErrorClass.FORBIDDEN, 0, message, null));
    }
}
