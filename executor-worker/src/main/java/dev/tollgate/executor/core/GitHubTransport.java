package dev.tollgate.executor.core;

import java.io.IOException;

/**
 * Sends one request to GitHub and returns its answer, whatever the status. Implemented by the
 * OkHttp adapter; an {@link IOException} means no answer (timeout, reset, refused).
 */
@FunctionalInterface
public interface GitHubTransport {

    GitHubResponse send(GitHubRequest request) throws IOException;
}
