package dev.tollgate.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 by hand, for what a well-behaved client will not send: a forged {@code Host}, a body
 * declared but never sent, a chunked body that does not end, a chosen source address.
 */
public final class RawHttp {

    /** What came back: the status and the whole response text (headers and body). */
    public record Answer(int status, String text) {

        public String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }

        public String header(String name) {
            for (String line : text.split("\r\n")) {
                if (line.isEmpty()) {
                    return null;
                }
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private RawHttp() {
    }

    /**
     * {@code POST /admin/tokens} for {@code agent} from the loopback address {@code from},
     * bearing {@code key}, with {@code X-Forwarded-For: forwardedFor} unless it is null: how an
     * admin, a guesser or a guesser behind a proxy asks for a token.
     */
    public static Answer adminMint(int port, String from, String forwardedFor, String key,
            String agent) {
        byte[] body = ("{\"agent\": \"" + agent + "\", \"environment\": \"dev\"}").getBytes(
                StandardCharsets.UTF_8);
        return exchange(from, port, "POST /admin/tokens HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAuthorization: Bearer " + key + (forwardedFor == null
                        ? ""
                        : "\r\nX-Forwarded-For: " + forwardedFor)
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close", body, 30);
    }

    /**
     * Sends {@code head} (request line and headers, without the blank line), then
     * {@code bodyPart}, and reads the answer without sending anything more: a server that waits
     * for the rest of a declared body never answers, and the read gives up after
     * {@code waitSeconds} saying so.
     */
    public static Answer exchange(String sourceAddress, int port, String head, byte[] bodyPart,
            int waitSeconds) {
        try (Socket socket = new Socket()) {
            if (sourceAddress != null) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
            }
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(waitSeconds * 1000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bodyPart);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    response.write(buffer, 0, read);
                    if (complete(response.toString(StandardCharsets.UTF_8))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no complete answer within " + waitSeconds
                        + " s (the server is waiting for more of the body?); received so far: '"
                        + response.toString(StandardCharsets.UTF_8) + "'");
            }
            String text = response.toString(StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/1.1 ")) {
                throw new AssertionError("not an HTTP answer: '" + text + "'");
            }
            return new Answer(Integer.parseInt(text.substring(9, 12)), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code GET /healthz} answered within {@code patience} while {@code holders} are held open:
     * an answer that does not come says that Tomcat's threads are held, and by what.
     */
    public static HttpResponse<String> healthzWhile(int port,
            Duration patience, String holders) throws IOException,
            InterruptedException {
        try {
            return HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(patience).build(),
                    HttpResponse.BodyHandlers
                            .ofString());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("GET /healthz had no answer within " + patience.toSeconds()
                    + " s while " + holders, e);
        }
    }

    /**
     * What the server sent on {@code socket} until it closed the connection, ending in
     * {@code [closed by the server]}; or what it had sent when the socket's read timeout passed
     * ({@code [still open after …]}) or the connection failed.
     */
    public static String untilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int read;
            while ((read = in.read(buffer)) != -1) {
                received.write(buffer, 0, read);
            }
            return received.toString(StandardCharsets.UTF_8) + "[closed by the server]";
        } catch (SocketTimeoutException e) {
            return received.toString(StandardCharsets.UTF_8) + "[still open after "
                    + socket.getSoTimeout() / 1000 + " s]";
        } catch (IOException e) {
            return received.toString(StandardCharsets.UTF_8) + "[" + e + "]";
        }
    }

    /** Whether the headers and a Content-Length body (or a whole chunked body) have arrived. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String headers = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int length = headers.indexOf("content-length:");
        if (length >= 0) {
            int lineEnd = headers.indexOf("\r\n", length);
            int declared = Integer.parseInt(headers.substring(length + 15, lineEnd < 0
                    ? headers.length()
                    : lineEnd).trim());
            return text.getBytes(StandardCharsets.UTF_8).length - end - 4 >= declared;
        }
        if (headers.contains("transfer-encoding: chunked")) {
            return text.endsWith("0\r\n\r\n");
        }
        return false; // read to the end of the connection
    }
}
