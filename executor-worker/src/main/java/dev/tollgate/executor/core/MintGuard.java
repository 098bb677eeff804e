package dev.tollgate.executor.core;

import java.util.Optional;

/**
 * What may stop a token from being handed out or minted, checked by {@link InstallationTokens}:
 * before any token of a scope is used (cached or new), and before a new one is minted. A refusal
 * is a classified error, answered to the agent like any other.
 */
public interface MintGuard {

    /** No guard: everything may be used and minted. */
    MintGuard NONE = new MintGuard() {
    };

    /** Why no token of this scope may be used now (e.g. the installation was uninstalled). */
    default Optional<GitHubError> beforeUse(TokenScope scope, MintContext context) {
        return Optional.empty();
    }

    /** Why no new token may be minted now (e.g. a mint rate limit). */
    default Optional<GitHubError> beforeMint(TokenScope scope, MintContext context) {
        return Optional.empty();
    }

    /** Called once by each token cache the guard protects (to drop tokens on revocation). */
    default void attach(InstallationTokens tokens) {
    }
}
