package dev.tollgate.decision.policy;

import java.util.List;
import java.util.Map;

/**
 * The request may go to the executor.
 *
 * @param permissions GitHub App permissions the action needs (least privilege), e.g.
 *        {@code contents: read}
 * @param repositories the repositories (owner/repo) the token must be narrowed to
 * @param preconditions checks the executor makes before acting
 * @param routingKey the executor partition key: the owner until an installation registry exists
 * @param monitorOnly true when a monitor-mode rule set allowed what enforce mode would deny
 */
public record Allowed(DecisionRequest request, String reason, List<RuleTrace> rules,
        String policyVersion, Map<String, String> permissions, List<String> repositories,
        List<Precondition> preconditions, String routingKey, boolean monitorOnly)
        implements
            Decision {

    public Allowed {
        rules = List.copyOf(rules);
        permissions = Map.copyOf(permissions);
        repositories = List.copyOf(repositories);
        preconditions = List.copyOf(preconditions);
    }
}
