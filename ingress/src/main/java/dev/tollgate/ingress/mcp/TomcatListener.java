package dev.tollgate.ingress.mcp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
                if (protocol.awaitConnectionsClose(left) <= 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
