package dev.tollgate.executor.core;

import java.io.IOException;
import java.util.Optional;

/**
 * Sends one request to GitHub and returns its answer, whatever the status. Implemented by the
 * OkHttp adapter; an {@link IOException} means no answer (timeout, reset, refused). No transport
 * follows a redirect: a 3xx is returned as it is.
 *
 * <p>Every method is abstract, so a transport says what it does with the one redirect followed
 * by hand: a decorator extends {@link ForwardingTransport}, which passes them all on, and a
 * stand-in that speaks only the API is made with {@link #sendOnly}, which refuses it by name. A
 * lambda is not a transport: one wrapping another used to inherit a refusal here and silently
 * broke {@code get_job_log} wherever it sat in the chain.
 */
public interface GitHubTransport {

    GitHubResponse send(GitHubRequest request) throws IOException;

    /**
     * Fetches where {@code redirect}, the answer to a GET of {@code path}, points, for the one
     * redirect followed by hand (a job's log, whose signed URL is its own credential): once, as a
     * GET without any {@code Authorization}, following nothing further, and only where
     * {@link RedirectTarget} allows. A decorator passes it on unchanged
     * ({@link ForwardingTransport}); a transport that cannot tell where a redirect leads refuses
     * it ({@link #sendOnly}).
     *
     * @param caller whom the call is made for
     * @param account keeps the answer's bytes, or null (given back once read)
     * @throws GitHubCallException {@code redirect_not_followed} when it may not be followed
     */
    GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
            GitHubRequest.Caller caller, ResponseBudget.Account account) throws IOException;

    /**
     * Why the one redirect followed by hand would be refused now, asked before the request that
     * leads to it is sent: the log storage's breaker is open ({@code upstream_unavailable}), and
     * the API call, whose 302 could not be followed, would spend the installation's rate limit
     * for nothing. Empty when it may be fetched; where it leads is checked by
     * {@link #fetchRedirect}, which refuses anything this lets through that it would not fetch.
     */
    Optional<GitHubError> redirectRefusal();

    /** What {@link #sendOnly} sends with. */
    @FunctionalInterface
    interface Sender {

        GitHubResponse send(GitHubRequest request) throws IOException;
    }

    /**
     * A transport that sends with {@code sender} and refuses every redirect
     * ({@code redirect_not_followed}, nothing fetched): for a stand-in that knows no API URL and
     * so cannot tell where a redirect leads. Never a decorator of another transport: that one's
     * redirects would be refused (extend {@link ForwardingTransport} instead).
     */
    static GitHubTransport sendOnly(Sender sender) {
        java.util.Objects.requireNonNull(sender, "sender");
        return new GitHubTransport() {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                return sender.send(request);
            }

            @Override
            public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
                    GitHubRequest.Caller caller, ResponseBudget.Account account) {
                throw new GitHubCallException(GitHubError.of(ErrorClass.REDIRECT_NOT_FOLLOWED,
                        redirect.status(), "GitHub answered HTTP " + redirect.status()
                                + ", a redirect, which this transport does not follow",
                        null));
            }

            @Override
            public Optional<GitHubError> redirectRefusal() {
                return Optional.empty(); // refused by fetchRedirect, once it is seen
            }

            @Override
            public String toString() {
                return "GitHubTransport.sendOnly[" + sender + "]";
            }
        };
    }
}
