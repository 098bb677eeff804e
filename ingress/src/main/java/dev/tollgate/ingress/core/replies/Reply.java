package dev.tollgate.ingress.core.replies;

import java.time.Instant;

/**
 * The final answer to a request, as the workers reported it on gateway.results.
 *
 * @param status SUCCEEDED, DENIED, FAILED or UNKNOWN
 * @param errorCode the classified error, if any
 * @param retryAt when a retry may succeed, if known
 */
public record Reply(String requestId, String agentId, String tool, String status,
        String errorCode, boolean retryable, Instant retryAt, String message, String resultJson,
        String policyVersion) {

    public boolean succeeded() {
        return "SUCCEEDED".equals(status);
    }
}
