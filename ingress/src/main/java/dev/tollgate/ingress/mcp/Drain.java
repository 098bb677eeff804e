package dev.tollgate.ingress.mcp;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown, first thing on SIGTERM (highest phase stops first): refuse new calls (503
 * at the endpoint, a retryable refusal in the tool), let the calls in flight finish (each is
 * bounded by the reply timeout), end the MCP sessions (closing their SSE streams), then let the
 * web server's graceful shutdown and the Kafka readers stop.
 */
public final class Drain implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private final ToolCalls calls;
    private final Duration patience;
    private final Runnable closeSessions;
    private volatile boolean running;

    /**
     * @param closeSessions ends the MCP sessions, whose idle SSE streams would otherwise hold the
     *        web server's graceful shutdown until its timeout
     */
    public Drain(ToolCalls calls, Duration patience, Runnable closeSessions) {
        this.calls = calls;
        this.patience = patience;
        this.closeSessions = closeSessions;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        calls.startDraining();
        long deadline = System.nanoTime() + patience.toNanos();
        if (calls.inFlight() > 0) {
            log.info("shutting down: waiting for {} tool calls in flight", calls.inFlight());
        }
        while (calls.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (calls.inFlight() > 0) {
            log.warn("shutting down with {} tool calls still waiting; their answers stay on "
                    + "gateway.results for get_request_status", calls.inFlight());
        }
        try {
            closeSessions.run();
        } catch (RuntimeException e) {
            log.warn("closing MCP sessions at shutdown failed: {}", e.getMessage());
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
