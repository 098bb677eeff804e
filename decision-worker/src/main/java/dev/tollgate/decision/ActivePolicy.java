package dev.tollgate.decision;

import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.load.LoadedPolicy;
import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.decision.policy.load.PolicyReloader;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy the worker decides with: the reloading file's, service-gator's command-line options,
 * or, when neither is configured, an empty policy that denies everything.
 *
 * @param engines the engine in force at each call
 * @param description where it comes from, for readiness and logs
 */
public record ActivePolicy(Supplier<PolicyEngine> engines, Supplier<String> description) {

    private static final Logger log = LoggerFactory.getLogger(ActivePolicy.class);

    /** Where a policy given as service-gator's command-line options comes from. */
    public static final String COMMAND_LINE = "command line (tollgate.policy.command-line)";

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
        return deniesEverything(listener, clock);
    }

    /**
     * service-gator's command-line options ({@code --gh-repo}, {@code --scope}, ...) as the
     * policy, fixed for the worker's life, announced like a file's. Throws (after telling the
     * listener) when they do not load: a worker must not start without the policy it was given.
     *
     * @param arguments the options and their values, in service-gator's order
     */
    public static ActivePolicy ofCommandLine(List<String> arguments, PolicyListener listener,
            Clock clock) {
        LoadedPolicy loaded;
        try {
            loaded = PolicyLoader.fromCommandLine(arguments);
        } catch (InvalidPolicyException e) {
            log.error("{}; no policy is in force", e.getMessage());
            listener.failed(new PolicyListener.Failed(COMMAND_LINE, e.getMessage(), e.problems(),
                    null, clock.instant(), null));
            throw e;
        }
        PolicyEngine engine = new PolicyEngine(loaded.policy());
        String version = loaded.policy().version();
        log.info("policy {} loaded from service-gator's options on the command line: {} rules",
                version, loaded.policy().ruleCount());
        loaded.warnings().forEach(warning -> log.warn("policy {}: {}", COMMAND_LINE, warning));
        listener.loaded(PolicyListener.Loaded.of(COMMAND_LINE, loaded, null, clock.instant()));
        return new ActivePolicy(() -> engine, () -> version + " from " + COMMAND_LINE);
    }

    private static ActivePolicy deniesEverything(PolicyListener listener, Clock clock) {
        PolicyEngine empty = new PolicyEngine(Policy.empty());
        log.warn("tollgate.policy.file is not set: every request is denied (deny by default)"
                + " until you point it (or TOLLGATE_POLICY_FILE) at a policy file (.toml, .json"
                + " or .yaml), or give service-gator's options (tollgate run --gh-repo ...); see"
                + " decision-worker/README.md");
        listener.loaded(new PolicyListener.Loaded(NO_FILE, empty.policy().version(), null, 0, List
                .of(), clock.instant(), List.of()));
        return new ActivePolicy(() -> empty, () -> empty.policy().version() + " " + NO_FILE
                + ": everything is denied");
    }
}
