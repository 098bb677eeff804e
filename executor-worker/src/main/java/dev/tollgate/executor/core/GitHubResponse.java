package dev.tollgate.executor.core;

/**
 * GitHub's answer to one {@link GitHubRequest}.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body as text (possibly empty; empty when it was too large to read)
 * @param attempts how many times the request was sent to get this answer (retries included)
 * @param tooLarge set when the body was larger than the executor reads of one answer: it was not
 *        read (nor kept), and this says how large it is at least and what the limit is
 */
public record GitHubResponse(int status, ResponseHeaders headers, String body, int attempts,
        TooLarge tooLarge) {

    /** A body that was not read: it has at least {@code atLeast} bytes, over {@code limit}. */
    public record TooLarge(long atLeast, long limit) {
    }

    public GitHubResponse(int status, ResponseHeaders headers, String body) {
        this(status, headers, body, 1, null);
    }

    public GitHubResponse(int status, ResponseHeaders headers, String body, int attempts) {
        this(status, headers, body, attempts, null);
    }

    /** An answer whose body was larger than {@code limit} bytes, and so not read. */
    public static GitHubResponse tooLarge(int status, ResponseHeaders headers, long atLeast,
            long limit) {
        return new GitHubResponse(status, headers, "", 1, new TooLarge(atLeast, limit));
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** Whether the body was read whole. */
    public boolean complete() {
        return tooLarge == null;
    }

    public GitHubResponse withAttempts(int count) {
        return new GitHubResponse(status, headers, body, count, tooLarge);
    }
}
