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
 * Sliding-window limits on token mints, per installation and per agent (GitHub allows about 2,000
 * token requests an hour per App, and a runaway agent must not spend them all). Only mints count;
 * cached tokens are free. A refusal is {@code rate_limited} with the time a mint is possible again.
 */
public final class MintLimits {

    private final int perInstallation;
    private final int perAgent;
    private final Duration period;
    private final Clock clock;
    private final Map<String, Deque<Instant>> windows = new HashMap<>();

    /**
     * @param perInstallation mints per installation per period (0 or less: unlimited)
     * @param perAgent mints per agent per period (0 or less: unlimited)
     */
    public MintLimits(int perInstallation, int perAgent, Duration period, Clock clock) {
        if (period.isZero() || period.isNegative()) {
            throw new ConfigurationException("tollgate.executor.mint-limit.period must be"
                    + " positive, not " + period);
        }
        this.perInstallation = perInstallation;
        this.perAgent = perAgent;
        this.period = period;
        this.clock = clock;
    }

    /** Takes one mint for this installation and agent, or says when one is possible again. */
    public synchronized Optional<GitHubError> acquire(long installationId, String agentId) {
        Instant now = clock.instant();
        String installation = "installation " + installationId;
        String agent = agentId == null ? null : "agent " + agentId;
        Optional<Instant> installationFree = full(installation, perInstallation, now);
        if (installationFree.isPresent()) {
            return Optional.of(refusal("installation " + installationId, perInstallation,
                    "tollgate.executor.mint-limit.per-installation", installationFree.get()));
        }
        Optional<Instant> agentFree = agent == null
                ? Optional.empty()
                : full(agent, perAgent, now);
        if (agentFree.isPresent()) {
            return Optional.of(refusal("agent " + agentId, perAgent,
                    "tollgate.executor.mint-limit.per-agent", agentFree.get()));
        }
        take(installation, perInstallation, now);
        if (agent != null) {
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
