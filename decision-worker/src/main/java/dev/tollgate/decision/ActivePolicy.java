package dev.tollgate.decision;

import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.load.LoadedPolicy;
import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.decision.policy.load.PolicyReloader;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy the worker decides with: the reloading file's, or, when no file is configured, an
 * empty policy that denies everything.
 *
 * @param engines the engine in force at each call
 * @param description where it comes from, for readiness and logs
 */
public record ActivePolicy(Supplier<PolicyEngine> engines, Supplier<String> description) {

    private static final Logger log = LoggerFactory.getLogger(ActivePolicy.class);

    /** Where the policy comes from when {@code tollgate.policy.file} is not set. */
    public static final String NO_FILE = "(none: tollgate.policy.file is not set)";

    /**
     * The reloader's policy; without one, an empty policy that denies every request (deny by
     * default), announced loudly in the log and to the listener.
     */
    public static ActivePolicy of(PolicyReloader reloader, PolicyListener listener, Clock clock) {
        if (reloader != null) {
            return new ActivePolicy(reloader, () -> {
                LoadedPolicy current = reloader.current();
                return current.policy().version() + " from " + current.source();
            });
        }
        PolicyEngine empty = new PolicyEngine(Policy.empty());
        log.warn("tollgate.policy.file is not set: every request is denied (deny by default)"
                + " until you point it (or TOLLGATE_POLICY_FILE) at a policy file (.toml, .json"
                + " or .yaml); see decision-worker/README.md");
        listener.loaded(new PolicyListener.Loaded(NO_FILE, empty.policy().version(), null, 0, List
                .of(), clock.instant(), List.of()));
        return new ActivePolicy(() -> empty, () -> empty.policy().version() + " " + NO_FILE
                + ": everything is denied");
    }
}
