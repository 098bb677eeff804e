package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's view of a real Tomcat: once the listener is closed, the connections still open are
 * still seen (Tomcat's connection count reads -1 then, and a drain that asked it never waited for
 * the proxy's idle keep-alive connections: the web server closed them under requests being sent).
 */
class TomcatListenerTest {

    @TempDir
    Path base;

    private Tomcat tomcat;
    private final TomcatListener listener = new TomcatListener();
    private int port;

    @BeforeEach
    void start() throws LifecycleException, IOException {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createDirectories(base.resolve("tomcat")).toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        // as Spring Boot's Tomcat: the port is bound on start (a listener bound on init is
        // Tomcat's to close at its stop, and closeServerSocketGraceful leaves it open)
        connector.setProperty("bindOnInit", "false");
        listener.customize(connector);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        Tomcat.addServlet(context, "ok", new jakarta.servlet.http.HttpServlet() {
            @Override
            protected void doGet(jakarta.servlet.http.HttpServletRequest request,
                    jakarta.servlet.http.HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().write("ok");
            }
        });
        context.addServletMappingDecoded("/", "ok");
        tomcat.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }

    @Test
    void aConnectionOpenWhenTheListenerClosesIsWaitedForAndStillServed() throws Exception {
        try (Socket open = connect()) {
            assertThat(get(open)).as("before the listener closes").startsWith("HTTP/1.1 200")
                    .endsWith("ok");

            listener.stopAccepting();

            assertThatThrownBy(this::connect).as("a new connection once the listener closed")
                    .isInstanceOf(IOException.class);
            assertThat(listener.awaitConnectionsClosed(Duration.ofMillis(200))).as(
                    "an idle keep-alive connection is still open").isFalse();
            String served = get(open);
            assertThat(served).as("a request on it after the listener closed").startsWith(
                    "HTTP/1.1 200").containsIgnoringCase("Connection: close").endsWith("ok");
        }
        assertThat(listener.awaitConnectionsClosed(Duration.ofSeconds(30))).as(
                "no connection left once the client closed its own").isTrue();
    }

    /**
     * Tomcat's own wait clears an interrupt and returns as if time ran out: the drain's thread
     * must keep its flag (so the rest of the shutdown knows to hurry) and stop waiting.
     */
    @Test
    void anInterruptedWaitStopsAtOnceAndKeepsTheInterrupt() throws Exception {
        try (Socket open = connect()) {
            assertThat(get(open)).startsWith("HTTP/1.1 200");
            listener.stopAccepting();
            CompletableFuture<Boolean> closed = new CompletableFuture<>();
            CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
            Thread drainer = Thread.ofPlatform().name("drainer").start(() -> {
                closed.complete(listener.awaitConnectionsClosed(Duration.ofMinutes(10)));
                flagAfter.complete(Thread.currentThread().isInterrupted());
            });
            Thread.sleep(300); // the drainer is waiting on the open connection by now, or soon

            drainer.interrupt();

            assertThat(closed.get(30, TimeUnit.SECONDS)).as("the connection is still open")
                    .isFalse();
            assertThat(flagAfter.get(30, TimeUnit.SECONDS)).as("the drainer's interrupt flag "
                    + "after the wait").isTrue();
            drainer.join(30_000);
        }
    }

    @Test
    void aWaitAskedWithTheFlagAlreadySetDoesNotWaitAndKeepsIt() throws Exception {
        try (Socket open = connect()) {
            assertThat(get(open)).startsWith("HTTP/1.1 200");
            listener.stopAccepting();
            Thread.currentThread().interrupt();
            try {
                boolean closed = listener.awaitConnectionsClosed(Duration.ofMinutes(10));

                assertThat(closed).isFalse();
                assertThat(Thread.currentThread().isInterrupted()).as("the flag after the wait")
                        .isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aDrainWaitsForAnIdleConnectionUntilItsClientClosesIt() throws Exception {
        Drain.Calls none = new Drain.Calls() {
            @Override
            public void startDraining() {
            }

            @Override
            public int inFlight() {
                return 0;
            }
        };
        CompletableFuture<Void> transportClosed = new CompletableFuture<>();
        Drain drain = new Drain(none, listener, Duration.ofSeconds(5), Duration.ofSeconds(60),
                () -> transportClosed.complete(null));
        CompletableFuture<Void> draining;
        try (Socket open = connect()) {
            assertThat(get(open)).startsWith("HTTP/1.1 200");
            draining = CompletableFuture.runAsync(drain::drain);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (refused() == null) {
                assertThat(System.nanoTime() - deadline).as(
                        "the listener still accepted connections 30 s after the drain began")
                        .isNegative();
                Thread.sleep(20);
            }
            Thread.sleep(500);
            assertThat(transportClosed).as("the transport while a connection is open (the "
                    + "grace is 60 s), half a second after the listener closed").isNotDone();
        }
        draining.get(30, TimeUnit.SECONDS);
        assertThat(transportClosed).as("the transport once the client closed its connection")
                .isDone();
    }

    /** The failure of a new connection, or null when the listener still took it. */
    private IOException refused() {
        try (Socket probe = connect()) {
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** One GET on a kept-alive connection: the whole answer (its body by Content-Length). */
    private static String get(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed in the answer's head: " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = headers.lines().filter(line -> line.toLowerCase().startsWith(
                "content-length:")).map(line -> Integer.parseInt(line.substring(15).trim()))
                .findFirst().orElseThrow(() -> new IOException("no Content-Length: "
                        + headers));
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
