package dev.tollgate.ingress.core.tokens;

import java.time.Instant;
import java.util.Optional;

/**
 * Who is calling, as proven by a verified gateway token.
 *
 * @param agentId the agent the token was issued to
 * @param environment the environment it acts in (dev, ci, prod, ...)
 * @param tokenId the token's ID (jti); never the token itself
 * @param issuedAt when the token was issued
 * @param expiresAt when it stops working
 * @param narrowing the grant narrowing it carries, if any
 */
public record AgentIdentity(String agentId, String environment, String tokenId,
        Instant issuedAt, Instant expiresAt, Optional<GrantNarrowing> narrowing) {
}
