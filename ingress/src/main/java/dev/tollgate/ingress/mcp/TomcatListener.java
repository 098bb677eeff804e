package dev.tollgate.ingress.mcp;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Override
    public long openConnections() {
        long open = 0;
        for (Connector connector : connectors) {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                open += protocol.getConnectionCount();
            }
        }
        return open;
    }
}
