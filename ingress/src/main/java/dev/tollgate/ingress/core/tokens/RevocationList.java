package dev.tollgate.ingress.core.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revoked gateway tokens (by token ID, effective at a given instant, which supports a rotation
 * grace period) and revoked agents (every token issued at or before an instant). Entries are
 * forgotten once no token they cover can still be valid (the longest token lifetime after they
 * took effect). Thread-safe.
 */
public final class RevocationList {

    private record Entry(Instant effectiveAt, Instant forgetAfter) {
    }

    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final Map<String, Entry> agents = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration maxTokenLifetime;

    public RevocationList(Clock clock, Duration maxTokenLifetime) {
        this.clock = clock;
        this.maxTokenLifetime = maxTokenLifetime;
    }

    /** Token {@code tokenId} stops working at {@code effectiveAt} (now, or after a grace). */
    public void revokeToken(String tokenId, Instant effectiveAt) {
        tokens.merge(tokenId, new Entry(effectiveAt, effectiveAt.plus(maxTokenLifetime)),
                (old, fresh) -> old.effectiveAt().isBefore(fresh.effectiveAt()) ? old : fresh);
    }

    /**
     * Every token of {@code agentId} issued at or before {@code revokedAt} stops working. Token
     * issue times have one-second resolution, so a token minted in the same second is revoked too.
     */
    public void revokeAgent(String agentId, Instant revokedAt) {
        agents.merge(agentId, new Entry(revokedAt, revokedAt.plus(maxTokenLifetime)),
                (old, fresh) -> old.effectiveAt().isAfter(fresh.effectiveAt()) ? old : fresh);
    }

    /** Why {@code identity} is revoked now, if it is. */
    public Optional<String> reason(AgentIdentity identity) {
        Instant now = clock.instant();
        Entry token = tokens.get(identity.tokenId());
        if (token != null && !now.isBefore(token.effectiveAt())) {
            return Optional.of("token has been revoked");
        }
        Entry agent = agents.get(identity.agentId());
        if (agent != null && identity.issuedAt().getEpochSecond() <= agent.effectiveAt()
                .getEpochSecond()) {
            return Optional.of("all tokens of agent " + identity.agentId()
                    + " issued before " + agent.effectiveAt() + " have been revoked");
        }
        return Optional.empty();
    }

    /** Drops entries that can no longer match a valid token. */
    public void prune() {
        Instant now = clock.instant();
        tokens.values().removeIf(entry -> now.isAfter(entry.forgetAfter()));
        agents.values().removeIf(entry -> now.isAfter(entry.forgetAfter()));
    }

    public int size() {
        return tokens.size() + agents.size();
    }
}
