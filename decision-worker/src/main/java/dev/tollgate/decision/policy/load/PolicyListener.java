package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.tools.ToolGrant;
import java.time.Instant;
import java.util.List;

/**
 * Told about every load attempt, so an adapter can publish PolicyChanged events. Called on the
 * thread that (re)loaded; implementations must not throw.
 */
public interface PolicyListener {

    /** A policy is now in force. {@code previousVersion} is null on the first load. */
    void loaded(Loaded event);

    /** A file could not be loaded; the policy in force ({@code versionInForce}) stays. */
    void failed(Failed event);

    /**
     * @param source the policy file
     * @param version the policy's hash ({@code sha256:...}), its version in every decision
     * @param previousVersion the version it replaced, null on the first load
     * @param ruleCount how many grants and deny rules it has
     * @param warnings what loaded but deserves a look
     * @param at when it was loaded
     * @param grants what its grants let whom use ({@link dev.tollgate.decision.policy.Policy#toolGrants})
     */
    record Loaded(String source, String version, String previousVersion, int ruleCount,
            List<PolicyProblem> warnings, Instant at, List<ToolGrant> grants) {

        /** {@code loaded}, from {@code source}, as it came into force {@code at}. */
        public static Loaded of(String source, LoadedPolicy loaded, String previousVersion,
                Instant at) {
            return new Loaded(source, loaded.policy().version(), previousVersion, loaded.policy()
                    .ruleCount(), loaded.warnings(), at, loaded.policy().toolGrants());
        }
    }

    /**
     * @param source the policy file
     * @param error every problem, each with its line
     * @param problems the problems one by one
     * @param versionInForce the version that stays in force, null if none was ever loaded
     * @param at when the attempt failed
     * @param grantsInForce the grants of the policy that stays in force, null if none was ever
     *     loaded
     */
    record Failed(String source, String error, List<PolicyProblem> problems,
            String versionInForce, Instant at, List<ToolGrant> grantsInForce) {
    }

    /** A listener that does nothing. */
    PolicyListener NONE = new PolicyListener() {
        @Override
        public void loaded(Loaded event) {
        }

        @Override
        public void failed(Failed event) {
        }
    };
}
