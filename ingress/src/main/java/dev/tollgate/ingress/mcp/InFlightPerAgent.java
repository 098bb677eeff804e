package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many MCP requests each agent has in progress on this replica, bounded: a call waits up to
 * the reply timeout, holding a connection, a thread and a waiter, so without a bound one agent
 * (50 calls a second for 30 s) could hold thousands of them. Agents are forgotten when they have
 * none in progress. Counted per principal (agent and environment): the same agent ID in another
 * environment is another caller and has places of its own.
 */
final class InFlightPerAgent {

    private final int limit;
    private final Map<AgentPrincipal, Integer> inFlight = new ConcurrentHashMap<>();

    InFlightPerAgent(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("tollgate.ingress.max-requests-in-flight-per-agent "
                    + "must be at least 1, was " + limit);
        }
        this.limit = limit;
    }

    /** Takes a place for one request of {@code agent}; false (nothing taken) at the bound. */
    boolean tryAcquire(AgentPrincipal agent) {
        boolean[] acquired = {false};
        inFlight.compute(agent, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= limit) {
                return count;
            }
            acquired[0] = true;
            return now + 1;
        });
        return acquired[0];
    }

    /** Gives back a place taken by {@link #tryAcquire}. */
    void release(AgentPrincipal agent) {
        inFlight.computeIfPresent(agent, (key, count) -> count <= 1 ? null : count - 1);
    }

    int limit() {
        return limit;
    }

    int inFlight(AgentPrincipal agent) {
        return inFlight.getOrDefault(agent, 0);
    }

    /** Agents with a request in progress. */
    int agents() {
        return inFlight.size();
    }
}
