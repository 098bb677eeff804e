package dev.tollgate.executor.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What a forge host's calls carry (GitHub's installation tokens are {@link InstallationTokens}'):
 * a token read from its file at start and used as it is ({@link #fixed}), or an OAuth 2.0 access
 * token obtained with the client-credentials grant and renewed before it expires
 * ({@link ClientCredentialsToken}). Held in the executor's memory only.
 */
public interface HostCredential {

    /**
     * The credential for the next call.
     *
     * @throws GitHubCallException classified, when none can be had (the token endpoint refused
     *         or could not be reached): nothing was sent to the forge
     */
    GitHubRequest.Credential current();

    /**
     * After the forge answered 401 to {@code refused}: a fresher credential to send the call
     * with once more (a 401 means the call was not performed), or empty when there is none.
     */
    Optional<GitHubRequest.Credential> refreshAfterUnauthorized(GitHubRequest.Credential refused);

    /** One credential, used as it is: a 401 is answered as it is. */
    static HostCredential fixed(GitHubRequest.Credential credential) {
        Objects.requireNonNull(credential, "credential");
        return new HostCredential() {
            @Override
            public GitHubRequest.Credential current() {
                return credential;
            }

            @Override
            public Optional<GitHubRequest.Credential> refreshAfterUnauthorized(
                    GitHubRequest.Credential refused) {
                return Optional.empty();
            }

            @Override
            public String toString() {
                return credential.toString();
            }
        };
    }
}
