package dev.tollgate.ingress.core.tokens;

import java.util.Objects;

/**
 * Whom per-agent state belongs to: an agent in an environment. Two issuers (or an admin minting
 * for two environments) can name the same agent ID in different environments; they are different
 * callers, so what one holds (its kept answers, rate limits, requests in progress, event streams)
 * is never the other's. A record, not a joined string, so no choice of names makes two
 * principals equal ({@code "a:b" + "c"} and {@code "a" + "b:c"}).
 *
 * @param environment the environment the agent acts in
 * @param agentId the agent ID
 */
public record AgentPrincipal(String environment, String agentId) {

    public AgentPrincipal {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(agentId, "agentId");
    }

    /** As it reads in messages: {@code agent 'x' in environment 'y'}. */
    public String describe() {
        return "agent " + agentId + " in environment " + environment;
    }
}
