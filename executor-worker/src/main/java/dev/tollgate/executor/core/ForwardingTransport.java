package dev.tollgate.executor.core;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * A transport around another that passes every call on as it is: a decorator (timing, retries,
 * a test's fault injection) extends it and overrides {@link #send} only, and the one redirect
 * followed by hand ({@link #fetchRedirect}, a job's log) still reaches the transport that fetches
 * it, with the security checks that transport makes. Overriding {@code fetchRedirect} too is a
 * decision to be written down, not a default to fall into.
 */
public abstract class ForwardingTransport implements GitHubTransport {

    private final GitHubTransport delegate;

    protected ForwardingTransport(GitHubTransport delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The transport every call is passed on to. */
    protected final GitHubTransport delegate() {
        return delegate;
    }

    @Override
    public GitHubResponse send(GitHubRequest request) throws IOException {
        return delegate.send(request);
    }

    @Override
    public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
            GitHubRequest.Caller caller, ResponseBudget.Account account) throws IOException {
        return delegate.fetchRedirect(path, redirect, caller, account);
    }

    @Override
    public Optional<GitHubError> redirectRefusal() {
        return delegate.redirectRefusal();
    }
}
