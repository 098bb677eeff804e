package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.WithKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An agent with a valid token sends MCP requests whose bodies never finish arriving: one sends a
 * byte now and then, one stops sending. The ingress reads an MCP body on a request thread, so
 * with Tomcat given four threads, four such requests held every thread for as long as their
 * senders liked (a byte within each 60 s connection timeout was enough), and one agent may have 64
 * requests in progress. With {@code tollgate.ingress.body-timeout} each is answered 408 and closed
 * once its body is late, and the threads serve others again.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "server.address=127.0.0.1",
        "tollgate.ingress.body-timeout=2s", "tollgate.ingress.streams.keep-alive=500ms",
        "server.tomcat.threads.max=4", "server.tomcat.threads.min-spare=4"})
class SlowBodiesIntegrationTest {

    /** Well beyond a busy machine's answer time, well under Tomcat's 60 s connection timeout. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    @Test
    void anAgentsBodiesThatNeverFinishArrivingAreAnswered408AndHoldNoThread() throws Exception {
        String token = HttpCalls.mint("http://127.0.0.1:" + port, "trickler");
        try (SlowClients slow = new SlowClients()) {
            for (int i = 0; i < 2; i++) {
                slow.trickling(start(token, 100_000));
                slow.stalled(start(token, 100_000)); // sends ten bytes, then nothing
            }

            List<String> answers = slow.answersOnceHealthzIsServed("MCP");

            // a trickler's body is late as a whole: the guard says so; one that stopped sending
            // had a read time out, which Tomcat answers 408 itself
            assertThat(List.of(answers.get(0), answers.get(2))).as("the tricklers' answers")
                    .allSatisfy(answer -> assertThat(answer).contains(
                            "did not arrive within 2000 ms (tollgate.ingress.body-timeout)"));
        }
    }

    /**
     * The token API reads an admin's body on a request thread too: a minting admin credential
     * sending a byte now and then held a thread as long as it liked (each read waits at most
     * the body timeout, the whole body did not).
     */
    @Test
    void anAdminsBodyThatNeverFinishesArrivingIsAnswered408AndHoldsNoThread() throws Exception {
        try (SlowClients slow = new SlowClients()) {
            for (int i = 0; i < 4; i++) {
                slow.trickling(start("/admin/tokens", TestConfig.ADMIN_KEY, 4_000));
            }

            List<String> answers = slow.answersOnceHealthzIsServed("admin");

            assertThat(answers).as("each slow admin's answer").allSatisfy(answer -> assertThat(
                    answer).contains("\"body_timeout\"").contains(
                            "did not arrive within 2000 ms (tollgate.ingress.body-timeout)"));
        }
    }

    /** A tools/list whose whole body arrives at once is answered as ever. */
    @Test
    void aBodyThatArrivesAtOnceIsServed() {
        String token = HttpCalls.mint("http://127.0.0.1:" + port, "prompt");

        HttpResponse<String> answer = HttpCalls.post("http://127.0.0.1:" + port + "/mcp", token,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", java.util.Map.of(
                        "Accept", "application/json, text/event-stream"));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"tools\"");
    }

    /**
     * An event stream ({@code GET /mcp}) sends no body and its client sends nothing more: the body
     * timeout, Tomcat's read timeout while a request is in progress, must not end it.
     */
    @Test
    void anEventStreamWhoseClientSendsNothingOutlivesTheBodyTimeout() throws Exception {
        String token = HttpCalls.mint("http://127.0.0.1:" + port, "listener");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.getOutputStream().write(("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos(); // 3 × body-timeout
            byte[] buffer = new byte[8192];
            while (System.nanoTime() - until < 0) {
                int read = in.read(buffer);
                if (read < 0) {
                    throw new AssertionError("the server closed the stream before 6 s had"
                            + " passed, after: " + received.toString(StandardCharsets.UTF_8));
                }
                received.write(buffer, 0, read);
            }

            assertThat(received.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200")
                    .containsIgnoringCase("text/event-stream");
        }
    }

    /** One test's slow clients: their sockets, and the threads trickling bytes into some. */
    private final class SlowClients implements AutoCloseable {

        private final List<Socket> sockets = new ArrayList<>();
        private final AtomicBoolean trickling = new AtomicBoolean(true);
        private final ExecutorService trickle = Executors.newVirtualThreadPerTaskExecutor();

        /**
         * A client that sends a byte every 200 ms: each read gets data long before any per-read
         * timeout; none once the answer is in (a byte sent after the server's close would be
         * answered with a reset, which may cost the client the answer it has not read).
         */
        void trickling(Socket socket) {
            sockets.add(socket);
            trickle.submit(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    while (trickling.get() && in.available() == 0) {
                        out.write(' ');
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the server, or the test is over
                }
                return null;
            });
        }

        /** A client that has stopped sending. */
        void stalled(Socket socket) {
            sockets.add(socket);
        }

        /**
         * Asks {@code /healthz} while the slow clients hold their requests (it must be answered
         * 200: no thread is held for good), then reads each slow client's answer up to the
         * server's close: each must be a 408 saying {@code Connection: close}.
         */
        List<String> answersOnceHealthzIsServed(String kind) throws IOException,
                InterruptedException {
            HttpResponse<String> genuine = RawHttp.healthzWhile(port, PATIENCE, sockets.size()
                    + " slow " + kind + " bodies were being read: Tomcat's threads are still"
                    + " reading them");
            assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(200);
            List<String> answers = new ArrayList<>();
            for (Socket socket : sockets) {
                answers.add(RawHttp.untilClosed(socket));
            }
            assertThat(answers).as("each slow " + kind + " client's answer, then the server's"
                    + " close").allSatisfy(
                            answer -> assertThat(answer).matches(
                                    "(?s)HTTP/1\\.1 408 .*\\[closed by the server\\]")
                                    .containsIgnoringCase("\r\nConnection: close\r\n"));
            return answers;
        }

        @Override
        public void close() throws IOException {
            trickling.set(false);
            trickle.shutdownNow();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** An authenticated tools/call declaring {@code declared} bytes of body, and ten of them. */
    private Socket start(String token, int declared) throws IOException {
        return start("/mcp", token, declared);
    }

    /** A POST to {@code path} declaring {@code declared} bytes of JSON body, and ten of them. */
    private Socket start(String path, String token, int declared) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAuthorization: Bearer "
                + token + "\r\nContent-Type: application/json\r\nAccept: application/json,"
                + " text/event-stream\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(
                        StandardCharsets.US_ASCII));
        out.write("{\"jsonrpc\"".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }
}
