package dev.tollgate.ingress.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a request body without ever holding more than a bound of it (MCP calls, webhooks). The
 * buffer is sized from the declared length when there is one, else it grows but never past the
 * bound: a body of {@code max} bytes costs one array of {@code max} bytes, not the next power of
 * two.
 */
public final class BoundedBody {

    /** The first buffer of a body of unknown length. */
    static final int INITIAL = 8192;

    private BoundedBody() {
    }

    /** The body, or null as soon as it is longer than {@code max} bytes. */
    public static byte[] readAtMost(InputStream in, int max) throws IOException {
        return readAtMost(in, max, -1);
    }

    /**
     * The body, or null as soon as it is longer than {@code max} bytes (or declared so).
     *
     * @param declaredLength the {@code Content-Length}, or a negative number when there is none
     */
    public static byte[] readAtMost(InputStream in, int max, long declaredLength)
            throws IOException {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative");
        }
        if (declaredLength > max) {
            return null;
        }
        byte[] body = new byte[declaredLength >= 0
                ? (int) declaredLength
                : Math.min(max,
                        INITIAL)];
        int total = 0;
        while (true) {
            if (total == body.length) {
                int next = in.read();
                if (next == -1) {
                    return body;
                }
                if (total >= max) {
                    return null;
                }
                body = Arrays.copyOf(body, (int) Math.min(max, Math.max(INITIAL, 2L
                        * body.length)));
                body[total++] = (byte) next;
                continue;
            }
            int read = in.read(body, total, body.length - total);
            if (read == -1) {
                return total == body.length ? body : Arrays.copyOf(body, total);
            }
            total += read;
        }
    }
}
