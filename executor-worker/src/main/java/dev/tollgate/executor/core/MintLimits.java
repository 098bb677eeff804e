package dev.tollgate.executor.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sliding-window limits on token mints (GitHub allows about 2,000 token requests an hour per App,
 * and a runaway agent must not spend them all): per installation, per agent across installations,
 * and per agent within one installation — an agent's share of the installation's budget, below the
 * whole of it, so that one agent minting as fast as it may still leaves mints for the installation's
 * other agents. Only mints count; cached tokens are free. A refusal is {@code rate_limited} with
 * the time a mint is possible again; a refused mint uses up no limit.
 */
public final class MintLimits {

    public static final String PER_INSTALLATION = "tollgate.executor.mint-limit.per-installation";
    public static final String PER_AGENT = "tollgate.executor.mint-limit.per-agent";
    public static final String PER_AGENT_PER_INSTALLATION = "tollgate.executor.mint-limit.per-agent-per-installation";

    private final int perInstallation;
    private final int perAgentPerInstallation;
    private final int perAgent;
    private final Duration period;
    private final Clock clock;
    private final Map<String, Deque<Instant>> windows = new HashMap<>();

    /**
     * Limits without a share per agent within an installation.
     *
     * @param perInstallation mints per installation per period (0 or less: unlimited)
     * @param perAgent mints per agent per period (0 or less: unlimited)
     */
    public MintLimits(int perInstallation, int perAgent, Duration period, Clock clock) {
        this(perInstallation, 0, perAgent, period, clock);
    }

    /**
     * @param perInstallation mints per installation per period (0 or less: unlimited)
     * @param perAgentPerInstallation mints one agent may take of one installation's budget per
     *        period (0 or less: no share, only the installation's limit); at most
     *        {@code perInstallation}
     * @param perAgent mints per agent per period, all installations together (0 or less:
     *        unlimited)
     */
    public MintLimits(int perInstallation, int perAgentPerInstallation, int perAgent,
            Duration period, Clock clock) {
        if (period.isZero() || period.isNegative()) {
            throw new ConfigurationException("tollgate.executor.mint-limit.period must be"
                    + " positive, not " + period);
        }
        if (perInstallation > 0 && perAgentPerInstallation > perInstallation) {
            throw new ConfigurationException(PER_AGENT_PER_INSTALLATION + " ("
                    + perAgentPerInstallation + ") must not exceed " + PER_INSTALLATION + " ("
                    + perInstallation + "): it is one agent's share of the installation's mints;"
                    + " keep it below, to leave mints for the installation's other agents");
        }
        this.perInstallation = perInstallation;
        this.perAgentPerInstallation = perAgentPerInstallation;
        this.perAgent = perAgent;
        this.period = period;
        this.clock = clock;
    }

    /** The default share of an installation's budget one agent may take: a third (at least 1). */
    public static int defaultShare(int perInstallation) {
        return perInstallation <= 0 ? 0 : Math.max(1, perInstallation / 3);
    }

    /** Takes one mint for this installation and agent, or says when one is possible again. */
    public synchronized Optional<GitHubError> acquire(long installationId, String agentId) {
        Instant now = clock.instant();
        String installation = "installation " + installationId;
        String agent = agentId == null ? null : "agent " + agentId;
        String agentInInstallation = agentId == null
                ? null
                : "agent " + agentId + " in installation " + installationId;
        Optional<Instant> installationFree = full(installation, perInstallation, now);
        if (installationFree.isPresent()) {
            return Optional.of(refusal("installation " + installationId, perInstallation,
                    PER_INSTALLATION, installationFree.get()));
        }
        Optional<Instant> shareFree = agentInInstallation == null
                ? Optional.empty()
                : full(agentInInstallation, perAgentPerInstallation, now);
        if (shareFree.isPresent()) {
            return Optional.of(refusal("agent " + agentId + " on installation " + installationId
                    + " (its share, leaving the rest to other agents)", perAgentPerInstallation,
                    PER_AGENT_PER_INSTALLATION, shareFree.get()));
        }
        Optional<Instant> agentFree = agent == null
                ? Optional.empty()
                : full(agent, perAgent, now);
        if (agentFree.isPresent()) {
            return Optional.of(refusal("agent " + agentId, perAgent, PER_AGENT, agentFree
                    .get()));
        }
        take(installation, perInstallation, now);
        if (agent != null) {
            take(agentInInstallation, perAgentPerInstallation, now);
            take(agent, perAgent, now);
        }
        return Optional.empty();
    }

    /** When the window of {@code key} frees a slot, if it is full now. */
    private Optional<Instant> full(String key, int limit, Instant now) {
        if (limit <= 0) {
            return Optional.empty();
        }
        Deque<Instant> window = windows.get(key);
        if (window == null) {
            return Optional.empty();
        }
        while (!window.isEmpty() && !window.peekFirst().plus(period).isAfter(now)) {
            window.pollFirst();
        }
        if (window.isEmpty()) {
            windows.remove(key);
            return Optional.empty();
        }
        return window.size() >= limit
                ? Optional.of(window.peekFirst().plus(period))
                : Optional.empty();
    }

    private void take(String key, int limit, Instant now) {
        if (limit > 0) {
            windows.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(now);
        }
    }

    private GitHubError refusal(String who, int limit, String setting, Instant retryAt) {
        return GitHubError.of(ErrorClass.RATE_LIMITED, 0, "token mints for " + who
                + " are limited to " + limit + " per " + period.toSeconds() + " s (" + setting
                + "); retry at " + retryAt, retryAt);
    }
}
