package dev.tollgate.executor.core;

import java.util.Optional;

/**
 * What may stop a token from being handed out or minted, checked by {@link InstallationTokens}:
 * before any token of a scope is used (cached or new), and before a new one is minted. A refusal
 * is a classified error, answered to the agent like any other.
 *
 * <p>Every method is abstract: a guard, or a wrapper around one, says what it does with each
 * check, so none can pass the revocation check ({@link #beforeUse}) or the dropping of a revoked
 * installation's tokens ({@link #attach}) by leaving it out. Only {@link #NONE} lets everything
 * through, by name.
 */
public interface MintGuard {

    /** No guard: everything may be used and minted. */
    MintGuard NONE = new MintGuard() {
        @Override
        public Optional<GitHubError> beforeUse(TokenScope scope, MintContext context) {
            return Optional.empty();
        }

        @Override
        public Optional<GitHubError> beforeMint(TokenScope scope, MintContext context) {
            return Optional.empty();
        }

        @Override
        public void attach(InstallationTokens tokens) {
            // nothing is ever revoked
        }

        @Override
        public String toString() {
            return "MintGuard.NONE";
        }
    };

    /** Why no token of this scope may be used now (e.g. the installation was uninstalled). */
    Optional<GitHubError> beforeUse(TokenScope scope, MintContext context);

    /** Why no new token may be minted now (e.g. a mint rate limit). */
    Optional<GitHubError> beforeMint(TokenScope scope, MintContext context);

    /** Called once by each token cache the guard protects (to drop tokens on revocation). */
    void attach(InstallationTokens tokens);
}
