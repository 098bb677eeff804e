package dev.tollgate.decision.policy;

import java.util.List;

/**
 * The verdict on one request. Either way it carries the reason an agent can read, every rule
 * evaluated and how, and the version of the policy that decided.
 */
public sealed interface Decision permits Allowed, Denied {

    DecisionRequest request();

    /** Readable by the agent: what was granted, or which grant is missing. */
    String reason();

    /** Every rule evaluated, in order, and how each matched. */
    List<RuleTrace> rules();

    /** {@code sha256:...} of the policy that decided. */
    String policyVersion();

    default boolean allowed() {
        return this instanceof Allowed;
    }
}
