package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.DecisionRequest;

/** Requests for loader tests: environment prod unless said otherwise. */
final class PolicyEngineRequests {

    private PolicyEngineRequests() {
    }

    static DecisionRequest of(String agent, String tool, String repo) {
        return DecisionRequest.of(agent, "prod", tool, repo);
    }
}
