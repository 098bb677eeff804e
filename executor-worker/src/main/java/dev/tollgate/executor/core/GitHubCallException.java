package dev.tollgate.executor.core;

/** A GitHub call failed; the cause is classified. */
public class GitHubCallException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient GitHubError error;

    public GitHubCallException(GitHubError error) {
        super(error.describe());
        this.error = error;
    }

    public GitHubError error() {
        return error;
    }
}
