package dev.tollgate.ingress.core.replies;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import java.time.Instant;

/**
 * The final answer to a request, as the workers reported it on gateway.replies.
 *
 * @param agentId and {@code environment}: whose request it answers; only that principal may read it
 * @param status SUCCEEDED, DENIED, FAILED or UNKNOWN
 * @param errorCode the classified error, if any
 * @param retryAt when a retry may succeed, if known
 * @param errorDetailsJson structured details of a failure (GitHub's field errors, the permissions
 *            it accepts), if any
 */
public record Reply(String requestId, String agentId, String environment, String tool,
        String status,
        String errorCode, boolean retryable, Instant retryAt, String message, String resultJson,
        String policyVersion, String errorDetailsJson) {

    /** Whose request it answers. */
    public AgentPrincipal principal() {
        return new AgentPrincipal(environment, agentId);
    }

    public boolean succeeded() {
        return "SUCCEEDED".equals(status);
    }
}
