package dev.tollgate.ingress.core.tokens;

import java.time.Instant;
import java.util.Optional;

/**
 * Who is calling, as proven by a verified gateway token or workload identity token.
 *
 * @param agentId the agent the token was issued to
 * @param environment the environment it acts in (dev, ci, prod, ...)
 * @param tokenId the token's ID (jti); never the token itself
 * @param issuedAt when the token was issued
 * @param expiresAt when it stops working
 * @param narrowing the grant narrowing it carries, if any
 * @param family the rotation family it belongs to (a workload token is a family of its own)
 * @param credential what proved it: {@link #GATEWAY} for a gateway token, {@code oidc:<issuer
 *        name>} for a workload identity token
 */
public record AgentIdentity(String agentId, String environment, String tokenId,
        Instant issuedAt, Instant expiresAt, Optional<GrantNarrowing> narrowing, Family family,
        String credential) {

    /** The credential of a gateway token (minted by an admin, or rotated from one). */
    public static final String GATEWAY = "gateway";
    /** The start of a workload identity token's credential; the issuer's name follows. */
    public static final String OIDC_PREFIX = "oidc:";

    /**
     * A token and every token rotated from it, directly or not. The first token's ID names the
     * family; a rotation's ID is {@code <family>.<generation>}. No member is valid after
     * {@code expiresAt}, fixed when the first token was issued; revoking any member revokes them
     * all; rotating a member supersedes it.
     *
     * @param id the family ID (the first token's ID)
     * @param generation 0 for the first token, n for the n-th rotation
     * @param issuedAt when the first token was issued
     * @param expiresAt when every member stops working, whatever its own expiry
     */
    public record Family(String id, int generation, Instant issuedAt, Instant expiresAt) {
    }

    /** A gateway token. */
    public AgentIdentity(String agentId, String environment, String tokenId, Instant issuedAt,
            Instant expiresAt, Optional<GrantNarrowing> narrowing, Family family) {
        this(agentId, environment, tokenId, issuedAt, expiresAt, narrowing, family, GATEWAY);
    }

    /** Who is calling, whatever the token: per-agent state is keyed by it. */
    public AgentPrincipal principal() {
        return new AgentPrincipal(environment, agentId);
    }

    /** Whether a gateway token proved it (only those can be rotated). */
    public boolean isGatewayToken() {
        return GATEWAY.equals(credential);
    }

    /** A token of its own family (issued before rotation families existed, or in tests). */
    public AgentIdentity(String agentId, String environment, String tokenId, Instant issuedAt,
            Instant expiresAt, Optional<GrantNarrowing> narrowing) {
        this(agentId, environment, tokenId, issuedAt, expiresAt, narrowing, new Family(tokenId, 0,
                issuedAt, expiresAt));
    }
}
