package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyProblem;
import java.util.List;

/**
 * A policy read from a file or the command line, with what the operator should know about it
 * (service-gator forms whose meaning differs from Tollgate's, entries that grant nothing).
 *
 * @param source the file path, or {@code command line}
 * @param policy the validated policy
 * @param warnings things that loaded but deserve a look, each with its line
 */
public record LoadedPolicy(String source, Policy policy, List<PolicyProblem> warnings) {

    public LoadedPolicy {
        warnings = List.copyOf(warnings);
    }
}
