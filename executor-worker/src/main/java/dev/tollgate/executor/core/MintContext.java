package dev.tollgate.executor.core;

/**
 * Who caused a mint, for the audit event: the request and agent. Never a secret.
 *
 * @param requestId the request that needed the token
 * @param agentId the agent that made it
 * @param environment the agent's environment
 */
public record MintContext(String requestId, String agentId, String environment) {

    public static MintContext none() {
        return new MintContext(null, null, null);
    }
}
