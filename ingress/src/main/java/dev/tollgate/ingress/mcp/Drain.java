package dev.tollgate.ingress.mcp;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Graceful shutdown, first thing on SIGTERM (when the context closes, before any of its lifecycle
 * stops: web server, Kafka readers), built so that a proxy in
 * front loses no request: the listener stops accepting (a proxy's new connection is refused, so it
 * sends that request to another replica: nothing was sent, nothing is repeated); then every answer
 * closes its connection; requests arriving on connections already open are still served; the
 * calls in flight finish (each bounded by the reply timeout); connections still open get
 * {@code drain-grace} to be closed by their client (a proxy closes an idle one after its
 * keep-alive timeout; closing it here could race a request the proxy is sending down it), and
 * the answers of the calls that just finished get {@link #ANSWER_WRITE} (at most the grace) to be
 * written however long those calls took. Then the web server's graceful shutdown and the Kafka
 * readers stop.
 *
 * <p>The listener closes before answers start closing connections: a connection the proxy opens
 * just as the listener closes may already carry its request when the kernel resets it (a POST the
 * proxy cannot repeat, as it cannot know it was not performed), so the proxy should not be pushed
 * to open new ones until the listener refuses them outright.
 *
 * <p>It runs on the context's close only, not on a stop of its lifecycle: a context that is
 * stopped and started again (Spring's test-context pausing, a checkpoint and restore) must serve
 * again, and a drained listener and transport do not come back. (As a lifecycle bean it did run
 * on a pause: a cached test context resumed with its listener closed, and every connection was
 * refused.)
 */
public final class Drain
        implements
            ApplicationListener<ContextClosedEvent>,
            ApplicationContextAware {

    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    /** How long the answer of a call that has just finished may take to be written. */
    static final Duration ANSWER_WRITE = Duration.ofSeconds(1);

    /** The tool calls being answered. */
    public interface Calls {

        /** From now on every answer closes its connection. */
        void startDraining();

        /** Calls whose answer is not yet complete. */
        int inFlight();
    }

    /** The web server's listening side. */
    public interface Listener {

        /** Closes the listening socket: new connections are refused from now on. */
        void stopAccepting();

        /**
         * Waits at most {@code wait} for the connections still open (idle keep-alive ones
         * included) to be closed; whether none is left ({@code Duration.ZERO}: whether none is
         * open now, at once or after a moment's look).
         */
        boolean awaitConnectionsClosed(Duration wait);
    }

    private final Calls calls;
    private final Listener listener;
    private final Duration patience;
    private final Duration grace;
    private final Runnable closeTransport;
    private final LongSupplier nanoTime;
    private final Runnable pause;
    private final AtomicBoolean drained = new AtomicBoolean();
    private volatile ApplicationContext context;

    /**
     * @param patience how long the calls in flight may take to finish
     * @param grace how long connections still open may take to close (0: none)
     * @param closeTransport stops the MCP transport once nothing is left to serve
     */
    public Drain(Calls calls, Listener listener, Duration patience, Duration grace,
            Runnable closeTransport) {
        this(calls, listener, patience, grace, closeTransport, System::nanoTime, Drain::sleep);
    }

    /** With a clock and a pause of its own (tests). */
    Drain(Calls calls, Listener listener, Duration patience, Duration grace,
            Runnable closeTransport, LongSupplier nanoTime, Runnable pause) {
        this.pause = pause;
        this.calls = calls;
        this.listener = listener;
        this.patience = patience;
        this.grace = grace;
        this.closeTransport = closeTransport;
        this.nanoTime = nanoTime;
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
    }

    /** Drains once, when its own context closes (a child's close reaches it too: not that). */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (context != null && event.getApplicationContext() != context) {
            return;
        }
        if (drained.compareAndSet(false, true)) {
            drain();
        }
    }

    /** Stops taking connections, lets the calls in flight end and closes the MCP transport. */
    void drain() {
        long started = nanoTime.getAsLong();
        try {
            listener.stopAccepting();
        } catch (RuntimeException e) {
            log.warn("shutting down: could not close the listener: {}", e.toString());
        }
        calls.startDraining(); // from now on every answer closes its connection
        if (calls.inFlight() > 0) {
            log.info("shutting down: waiting for {} tool calls in flight", calls.inFlight());
        }
        waitUntil(() -> calls.inFlight() == 0, started + patience.toNanos());
        long callsEnded = nanoTime.getAsLong();
        if (calls.inFlight() > 0) {
            log.warn("shutting down with {} tool calls still waiting; their answers stay on "
                    + "gateway.replies for get_request_status on any replica", calls.inFlight());
        }
        if (!grace.isZero()) {
            // A call that finished after the grace had run out is still writing its answer: it
            // gets a moment of its own before the transport closes under it.
            long until = Math.max(started + grace.toNanos(), callsEnded + Math.min(grace
                    .toNanos(), ANSWER_WRITE.toNanos()));
            Duration left = Duration.ofNanos(until - nanoTime.getAsLong());
            if (left.isPositive() && !listener.awaitConnectionsClosed(Duration.ZERO)) {
                log.info("shutting down: connections still open, serving them at most {} more "
                        + "(tollgate.ingress.drain-grace {})",
                        left.truncatedTo(
                                ChronoUnit.MILLIS),
                        grace);
                if (!listener.awaitConnectionsClosed(Duration.ofNanos(until - nanoTime
                        .getAsLong()))) {
                    log.info(Thread.currentThread().isInterrupted()
                            ? "shutting down: interrupted while connections were still open; the "
                                    + "web server closes them"
                            : "shutting down: connections still open after the grace; the web "
                                    + "server closes them");
                }
            }
        }
        try {
            closeTransport.run();
        } catch (RuntimeException e) {
            log.warn("closing the MCP transport at shutdown failed: {}", e.getMessage());
        }
    }

    private void waitUntil(BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean() && nanoTime.getAsLong() - deadline < 0
                && !Thread.currentThread().isInterrupted()) {
            pause.run();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
