package dev.tollgate.runtime.security.oidc;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who is acting on the admin API, as recorded on every event it causes, and what it may do.
 *
 * @param actor {@code oidc:<issuer name>:<subject>} for a token of an admin issuer,
 *        {@link #ADMIN_KEY_ACTOR} for the shared admin key
 * @param roles what it may do
 * @param breakGlass whether the shared admin key was used while admin issuers are configured
 */
public record AdminPrincipal(String actor, Set<AdminRole> roles, boolean breakGlass) {

    /** The actor recorded for the shared admin key. */
    public static final String ADMIN_KEY_ACTOR = "admin-key";

    public AdminPrincipal {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    /** The shared admin key: every role; break-glass when admins have their own identities. */
    public static AdminPrincipal adminKey(boolean breakGlass) {
        return new AdminPrincipal(breakGlass
                ? ADMIN_KEY_ACTOR + " (break-glass)"
                : ADMIN_KEY_ACTOR, EnumSet.allOf(AdminRole.class), breakGlass);
    }

    public boolean may(AdminRole role) {
        return roles.contains(role);
    }
}
