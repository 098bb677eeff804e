package dev.tollgate.runtime.security.oidc;

import java.util.Optional;

/** What an admin may do; an admin token's roles claim names them by {@link #claimValue}. */
public enum AdminRole {
    /** Mint gateway tokens ({@code POST /admin/tokens}). */
    MINT,
    /** Revoke tokens and agents ({@code POST /admin/tokens/revoke}). */
    REVOKE,
    /** Re-read installations from GitHub (the executor's sync endpoint). */
    SYNC,
    /** Read admin state. */
    READ;

    /** {@code tollgate:mint}, ...: the value an identity provider puts in the roles claim. */
    public String claimValue() {
        return "tollgate:" + name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role a claim value names, if any. */
    public static Optional<AdminRole> ofClaimValue(String value) {
        for (AdminRole role : values()) {
            if (role.claimValue().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
