package dev.tollgate.ingress.mcp;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** W3C trace context: continue the caller's trace when it sends one, else start a new one. */
final class Traceparent {

    private static final Pattern VALID = Pattern.compile(
            "00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Traceparent() {
    }

    static boolean isValid(String value) {
        return VALID.matcher(value).matches();
    }

    /** A child of {@code parent} (same trace, new span), or a new sampled trace. */
    static String childOf(String parent) {
        String traceId = parent != null && isValid(parent) ? parent.substring(3, 35) : hex(16);
        return "00-" + traceId + "-" + hex(8) + "-01";
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
