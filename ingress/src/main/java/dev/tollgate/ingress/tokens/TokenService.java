package dev.tollgate.ingress.tokens;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.GrantNarrowing;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.kafka.EventPublisher.PublishFailedException;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues, rotates, revokes and checks gateway tokens. Every change is published to
 * {@code gateway.agent-tokens} (never the token value) before the caller sees its effect; a
 * token whose issuance could not be recorded is not handed out.
 */
public final class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final GatewayTokens tokens;
    private final TokenRules rules;
    private final RevocationList revocations;
    private final EventPublisher publisher;
    private final Clock clock;
    private final Duration rotationGrace;
    private final Collection<String> toolNames;

    public TokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            EventPublisher publisher, Clock clock, Duration rotationGrace,
            Collection<String> toolNames) {
        this.tokens = tokens;
        this.rules = rules;
        this.revocations = revocations;
        this.publisher = publisher;
        this.clock = clock;
        this.rotationGrace = rotationGrace;
        this.toolNames = toolNames;
    }

    /** Checks a presented token: signature, times, revocation. */
    public AgentIdentity authenticate(String token) throws TokenRejectedException {
        AgentIdentity identity = tokens.verify(token);
        Optional<String> revoked = revocations.reason(identity);
        if (revoked.isPresent()) {
            throw new TokenRejectedException(revoked.get());
        }
        return identity;
    }

    /** Mints a token from an admin request body ({@code agent, environment, expires-in, grants}). */
    public GatewayTokens.Minted issue(Map<String, Object> request) throws PublishFailedException {
        for (String key : request.keySet()) {
            if (!Set.of("agent", "environment", "expires-in", "grants").contains(key)) {
                throw new InvalidTokenRequestException("unknown field '" + key
                        + "'; expected agent, environment, expires-in, grants");
            }
        }
        String agent = rules.agentId(request.get("agent"));
        String environment = rules.environment(request.get("environment"));
        Duration lifetime = rules.lifetime(request.get("expires-in"));
        Optional<GrantNarrowing> narrowing = Optional.ofNullable(request.get("grants"))
                .map(grants -> GrantNarrowing.parse(grants, toolNames));
        GatewayTokens.Minted minted = tokens.mint(agent, environment, lifetime, narrowing);
        publish(event(AgentTokenAction.ISSUED, minted.identity(), minted.identity().tokenId(),
                minted.identity().expiresAt(), "admin", narrowing.map(n -> "grants narrowed to "
                        + n.toJson()).orElse(null)));
        log.info("issued gateway token {} to agent {} ({}), expires {}", minted.identity()
                .tokenId(), agent, environment, minted.identity().expiresAt());
        return minted;
    }

    /**
     * A fresh token for the same agent, environment, narrowing and lifetime; the old one keeps
     * working for the rotation grace, then stops.
     */
    public GatewayTokens.Minted rotate(AgentIdentity old) throws PublishFailedException {
        Duration lifetime = Duration.between(old.issuedAt(), old.expiresAt());
        if (lifetime.compareTo(rules.maxLifetime()) > 0) {
            lifetime = rules.maxLifetime();
        }
        GatewayTokens.Minted minted = tokens.mint(old.agentId(), old.environment(), lifetime,
                old.narrowing());
        Instant graceEnds = clock.instant().plus(rotationGrace);
        publish(event(AgentTokenAction.ISSUED, minted.identity(), minted.identity().tokenId(),
                minted.identity().expiresAt(), old.agentId(), "rotation of " + old.tokenId()));
        publish(event(AgentTokenAction.ROTATED, old, old.tokenId(), graceEnds, old.agentId(),
                "replaced by " + minted.identity().tokenId() + "; stops working at "
                        + graceEnds));
        revocations.revokeToken(old.tokenId(), graceEnds);
        log.info("agent {} rotated gateway token {} to {}; the old one stops at {}",
                old.agentId(), old.tokenId(), minted.identity().tokenId(), graceEnds);
        return minted;
    }

    /** Revokes one token by ID, effective now. */
    public Instant revokeToken(String tokenId, String agentId, String reason)
            throws PublishFailedException {
        if (tokenId == null || !tokenId.matches("[A-Za-z0-9-]{1,64}")) {
            throw new InvalidTokenRequestException("token-id must be the ID of a gateway token "
                    + "(the jti, a UUID)");
        }
        Instant now = clock.instant();
        revocations.revokeToken(tokenId, now);
        publish(AgentTokenChanged.newBuilder().setMeta(EventMetas.create(Roles.INGRESS, null,
                clock)).setAction(AgentTokenAction.REVOKED).setAgentId(agentId == null
                        ? ""
                        : rules.agentId(agentId))
                .setTokenId(tokenId).setExpiresAt(now)
                .setActor("admin").setReason(reason).build());
        log.info("revoked gateway token {}", tokenId);
        return now;
    }

    /** Revokes every token the agent holds now. */
    public Instant revokeAgent(String agentId, String reason) throws PublishFailedException {
        String agent = rules.agentId(agentId);
        Instant now = clock.instant();
        revocations.revokeAgent(agent, now);
        publish(AgentTokenChanged.newBuilder().setMeta(EventMetas.create(Roles.INGRESS, null,
                clock)).setAction(AgentTokenAction.REVOKED).setAgentId(agent).setTokenId(null)
                .setExpiresAt(now).setActor("admin").setReason(reason).build());
        log.info("revoked every gateway token of agent {}", agent);
        return now;
    }

    /** Applies a token event another replica published (revocations and rotations). */
    public void apply(AgentTokenChanged event) {
        switch (event.getAction()) {
            case REVOKED -> {
                Instant at = event.getExpiresAt() != null
                        ? event.getExpiresAt()
                        : event.getMeta().getOccurredAt();
                if (event.getTokenId() != null) {
                    revocations.revokeToken(event.getTokenId(), at);
                } else if (!event.getAgentId().isEmpty()) {
                    revocations.revokeAgent(event.getAgentId(), at);
                }
            }
            case ROTATED -> {
                if (event.getTokenId() != null && event.getExpiresAt() != null) {
                    revocations.revokeToken(event.getTokenId(), event.getExpiresAt());
                }
            }
            default -> {
            }
        }
    }

    public RevocationList revocations() {
        return revocations;
    }

    private AgentTokenChanged event(AgentTokenAction action, AgentIdentity identity,
            String tokenId, Instant expiresAt, String actor, String reason) {
        return AgentTokenChanged.newBuilder().setMeta(EventMetas.create(Roles.INGRESS, null,
                clock)).setAction(action).setAgentId(identity.agentId()).setEnvironment(identity
                        .environment())
                .setTokenId(tokenId).setExpiresAt(expiresAt).setActor(actor)
                .setReason(reason).build();
    }

    private void publish(AgentTokenChanged event) throws PublishFailedException {
        publisher.publish(Topics.AGENT_TOKENS, event.getAgentId(), event, headers -> {
        }, PUBLISH_TIMEOUT);
    }

}
