package dev.tollgate.ingress.core.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body without ever holding more than a bound of it (MCP calls, webhooks). */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** The body, or null as soon as it is longer than {@code max} bytes. */
    public static byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int total = 0;
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            if (total > max) {
                return null;
            }
            out.write(buffer, 0, read);
        }
        return out.toByteArray();
    }
}
