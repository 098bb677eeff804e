package dev.tollgate.executor.core;

import java.time.Instant;
import java.util.Objects;

/**
 * An installation token, held only in memory. {@link #toString()} never shows the value; there is
 * deliberately no way to serialize it.
 *
 * @param value the opaque token (any length: never assume 40 characters)
 * @param expiresAt when GitHub stops accepting it
 * @param scope the installation, repositories and permissions it was minted for
 * @param staticFallback true when it is the configured static token, not a minted one
 */
public record InstallationToken(String value, Instant expiresAt, TokenScope scope,
        boolean staticFallback) {

    public InstallationToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(scope, "scope");
    }

    @Override
    public String toString() {
        return "InstallationToken[value=redacted, expiresAt=" + expiresAt + ", scope=" + scope
                + (staticFallback ? ", staticFallback" : "") + "]";
    }
}
