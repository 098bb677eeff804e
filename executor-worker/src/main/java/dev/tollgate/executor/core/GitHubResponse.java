package dev.tollgate.executor.core;

/** GitHub's answer to one {@link GitHubRequest}. */
public record GitHubResponse(int status, ResponseHeaders headers, String body) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
