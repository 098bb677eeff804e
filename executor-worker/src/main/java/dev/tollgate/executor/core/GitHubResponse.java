package dev.tollgate.executor.core;

/**
 * GitHub's answer to one {@link GitHubRequest}.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body as text (possibly empty)
 * @param attempts how many times the request was sent to get this answer (retries included)
 */
public record GitHubResponse(int status, ResponseHeaders headers, String body, int attempts) {

    public GitHubResponse(int status, ResponseHeaders headers, String body) {
        this(status, headers, body, 1);
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public GitHubResponse withAttempts(int count) {
        return new GitHubResponse(status, headers, body, count);
    }
}
