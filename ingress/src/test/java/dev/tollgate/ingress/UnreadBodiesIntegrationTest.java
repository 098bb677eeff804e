package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.webhooks.WebhookController;
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
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Clients with no credential declare a body, are refused before it is read, and then send
 * nothing more: with Tomcat given four request threads, twelve of them (no token on /mcp, no
 * signature on a webhook, an unknown path) must neither hold those threads nor keep a genuine
 * request waiting. Tomcat would otherwise read the rest of each body on a request thread to keep
 * the connection (up to 2 MB, each read bounded only by the 60 s connection timeout).
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "server.address=127.0.0.1",
        "tollgate.github.webhook-secret=unread-bodies-webhook-secret",
        "server.tomcat.threads.max=4", "server.tomcat.threads.min-spare=4"})
class UnreadBodiesIntegrationTest {

    /** Well beyond a busy machine's answer time, well under Tomcat's connection timeout. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @LocalServerPort
    int port;

    @Test
    void refusedClientsThatNeverSendTheirDeclaredBodiesHoldNoThreadAndGetTheirAnswerAndAClose()
            throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                stalled.add(stall("POST /mcp", "Content-Type: application/json\r\nAccept:"
                        + " application/json, text/event-stream", 100_000));
                stalled.add(stall("POST " + WebhookController.PATH, "Content-Type:"
                        + " application/json\r\nX-GitHub-Event: installation", 1000));
                stalled.add(stall("POST /no-such-path", "Content-Type: text/plain", 1000));
            }

            HttpResponse<String> genuine = RawHttp.healthzWhile(port, PATIENCE, stalled.size()
                    + " refused clients held their connections: Tomcat's threads are reading their"
                    + " bodies");

            assertThat(genuine.statusCode()).as(genuine.body()).isEqualTo(200);
            List<String> answers = new ArrayList<>();
            for (Socket socket : stalled) {
                answers.add(RawHttp.untilClosed(socket));
            }
            assertThat(answers).as("each stalled client's answer, then the server's close")
                    .allSatisfy(answer -> assertThat(answer).matches(
                            "(?s)HTTP/1\\.1 (401|404) .*\\[closed by the server\\]")
                            .containsIgnoringCase("\r\nConnection: close\r\n"));
            assertThat(answers).filteredOn(answer -> answer.startsWith("HTTP/1.1 401")).hasSize(
                    8);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /**
     * A client refused with its whole body sent (an agent whose token expired, say) keeps its
     * connection: its next request on the same connection is answered.
     */
    @Test
    void aRefusedClientWhoseWholeBodyArrivedKeepsItsConnection() throws Exception {
        byte[] body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}".getBytes(
                StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nAccept: application/json,"
                        + " text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                request.write(body);
                out.write(request.toByteArray()); // at once: the whole body arrives with the head
                out.flush();
                answers.add(oneAnswer(in));
            }

            assertThat(answers).allSatisfy(answer -> assertThat(answer).startsWith(
                    "HTTP/1.1 401").doesNotContainIgnoringCase("Connection: close"));
        }
    }

    /** One answer's head and body (Content-Length or chunked), read off a kept connection. */
    private static String oneAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        while (true) {
            int next = in.read();
            if (next < 0) {
                throw new AssertionError("the server closed the connection after: " + received
                        .toString(StandardCharsets.UTF_8));
            }
            received.write(next);
            String text = received.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                continue;
            }
            String head = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile(
                    "content-length: *(\\d+)").matcher(head);
            if (length.find()
                    ? text.length() - headEnd - 4 >= Integer.parseInt(length.group(1))
                    : text.endsWith("\r\n0\r\n\r\n")) {
                return text;
            }
        }
    }

    /** Sends a request declaring {@code declared} bytes of body, and ten of them. */
    private Socket stall(String requestLine, String headers, int declared) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) PATIENCE.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + headers
                + "\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(
                        StandardCharsets.US_ASCII));
        out.write(new byte[10]);
        out.flush();
        return socket;
    }
}
