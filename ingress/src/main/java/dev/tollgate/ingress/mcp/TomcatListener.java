package dev.tollgate.ingress.mcp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/** Tomcat's connectors as the {@link Drain} needs them (each is handed over as it is built). */
final class TomcatListener implements Drain.Listener, TomcatConnectorCustomizer {

    private final List<Connector> connectors = new CopyOnWriteArrayList<>();

    @Override
    public void customize(Connector connector) {
        connectors.add(connector);
    }

    @Override
    public void stopAccepting() {
        for (Connector connector : connectors) {
            connector.getProtocolHandler().closeServerSocketGraceful();
        }
    }

    /**
     * Tomcat's own wait on the connections it holds (its endpoint's, idle keep-alive ones
     * included), shared by the connectors. Not its connection count: that is kept only while the
     * listener accepts ({@code closeServerSocketGraceful} releases it, and it reads -1 after), so
     * a drain that asked it once the listener had closed saw no connection open and never waited.
     */
    @Override
    public boolean awaitConnectionsClosed(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        for (Connector connector : connectors) {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                // at least 1 ms: Tomcat's wait answers 0 (as if time ran out) when given none
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System
                        .nanoTime()));
                if (!await(protocol, left)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Tomcat's wait, run on a thread of its own. Tomcat answers an interrupt by clearing the flag
     * and returning as if time ran out, so on the draining thread it swallowed the interrupt (a
     * shutdown told to hurry then waited on at every later step). Here an interrupt of the caller
     * stops the wait at once, leaves the caller's flag set, and ends Tomcat's wait too.
     *
     * @return whether the connections closed within {@code millis}; false when interrupted
     */
    static boolean await(AbstractProtocol<?> protocol, long millis) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        CompletableFuture<Long> left = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().name("tollgate-drain-wait").start(() -> {
            try {
                left.complete(protocol.awaitConnectionsClose(millis));
            } catch (RuntimeException | Error e) {
                left.completeExceptionally(e);
            }
        });
        try {
            return left.get() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waiter.interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for Tomcat's connections to close failed",
                    e.getCause());
        }
    }
}
