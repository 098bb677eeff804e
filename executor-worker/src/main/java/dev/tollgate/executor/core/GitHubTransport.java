package dev.tollgate.executor.core;

import java.io.IOException;

/**
 * Sends one request to GitHub and returns its answer, whatever the status. Implemented by the
 * OkHttp adapter; an {@link IOException} means no answer (timeout, reset, refused). No transport
 * follows a redirect: a 3xx is returned as it is.
 */
@FunctionalInterface
public interface GitHubTransport {

    GitHubResponse send(GitHubRequest request) throws IOException;

    /**
     * Fetches where {@code redirect}, the answer to a GET of {@code path}, points, for the one
     * redirect followed by hand (a job's log, whose signed URL is its own credential): once, as a
     * GET without any {@code Authorization}, following nothing further, and only where
     * {@link RedirectTarget} allows. A transport that cannot refuses it.
     *
     * @param caller whom the call is made for
     * @param account keeps the answer's bytes, or null (given back once read)
     * @throws GitHubCallException {@code redirect_not_followed} when it may not be followed
     */
    default GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
            GitHubRequest.Caller caller, ResponseBudget.Account account) throws IOException {
        // A transport that knows no API URL cannot tell where a redirect leads: not followed.
        throw new GitHubCallException(GitHubError.of(ErrorClass.REDIRECT_NOT_FOLLOWED, redirect
                .status(),
                "GitHub answered HTTP " + redirect.status() + ", a redirect, which"
                        + " this transport does not follow",
                null));
    }
}
