package dev.tollgate.decision.policy;

import java.util.List;

/**
 * The request is refused; the reason goes back to the agent.
 *
 * @param kind why, in one word, for metrics and tests
 */
public record Denied(DecisionRequest request, Kind kind, String reason, List<RuleTrace> rules,
        String policyVersion) implements Decision {

    public Denied {
        rules = List.copyOf(rules);
    }

    /** Why a request was denied. */
    public enum Kind {
        /** A hard block: not a catalogued tool, or a push to a default or protected branch. */
        HARD_BLOCK,
        /** A write carries what looks like a credential; like a hard block, no policy lifts it. */
        SECRET_IN_CONTENT,
        /** The agent's gateway token is narrowed to other tools or repositories. */
        TOKEN_NARROWING,
        /** An explicit deny rule matched. */
        EXPLICIT_DENY,
        /** No grant permits it (deny by default). */
        NO_GRANT,
        /** The request cannot be decided: it names no repository, or a forge not supported yet. */
        INVALID_REQUEST
    }
}
