package dev.tollgate.ingress.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Reads a request body without ever holding more than a bound of it (MCP calls, webhooks). The
 * buffer is sized from the declared length when there is one, else it grows but never past the
 * bound: a body of {@code max} bytes costs one array of {@code max} bytes, not the next power of
 * two.
 *
 * <p>A body read against a deadline ends in {@link TooSlowException} once the deadline has passed
 * and the body is not complete, or when a read waited longer than the server lets one wait (a
 * {@link SocketTimeoutException} anywhere in its causes): each read blocks its thread, and a client
 * sending a byte now and then would otherwise hold the thread for as long as it liked.
 */
public final class BoundedBody {

    /** The first buffer of a body of unknown length. */
    static final int INITIAL = 8192;

    /** The body did not arrive by its deadline. */
    public static final class TooSlowException extends IOException {

        private final long bytesRead;

        TooSlowException(long bytesRead, Throwable cause) {
            super("the body had not arrived by its deadline (" + bytesRead + " bytes read)",
                    cause);
            this.bytesRead = bytesRead;
        }

        /** How much of the body had arrived. */
        public long bytesRead() {
            return bytesRead;
        }
    }

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
        return readAtMost(in, max, declaredLength, Long.MAX_VALUE, () -> 0L);
    }

    /**
     * As {@link #readAtMost(InputStream, int, long)}, and the whole body by a deadline.
     *
     * @param deadlineNanos when the body must be in, on {@code nanoTime}'s scale
     * @param nanoTime the clock ({@link System#nanoTime()})
     * @throws TooSlowException when it is not
     */
    public static byte[] readAtMost(InputStream in, int max, long declaredLength,
            long deadlineNanos, LongSupplier nanoTime) throws IOException {
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
        try {
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
                } else {
                    int read = in.read(body, total, body.length - total);
                    if (read == -1) {
                        return total == body.length ? body : Arrays.copyOf(body, total);
                    }
                    total += read;
                }
                boolean incomplete = declaredLength < 0 || total < declaredLength;
                if (incomplete && deadlineNanos != Long.MAX_VALUE
                        && nanoTime.getAsLong() - deadlineNanos > 0) {
                    throw new TooSlowException(total, null);
                }
            }
        } catch (TooSlowException e) {
            throw e;
        } catch (IOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof SocketTimeoutException) {
                    throw new TooSlowException(total, e);
                }
            }
            throw e;
        }
    }
}
