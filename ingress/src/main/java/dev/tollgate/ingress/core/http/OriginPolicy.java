package dev.tollgate.ingress.core.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * DNS-rebinding protection: a request's {@code Host} must name this gateway (loopback names, or
 * hosts configured for it) and its {@code Origin}, when a browser sends one, must be a loopback
 * origin or one configured as allowed. A page on evil.example that rebinds its name to 127.0.0.1
 * still sends {@code Host: evil.example} and {@code Origin: http://evil.example}: both refused.
 */
public final class OriginPolicy {

    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]",
            "::1");

    private final Set<String> allowedHosts;
    private final Set<String> allowedOrigins;

    public OriginPolicy(Collection<String> extraHosts, Collection<String> extraOrigins) {
        this.allowedHosts = extraHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
        this.allowedOrigins = extraOrigins.stream().map(OriginPolicy::normalizeOrigin)
                .filter(o -> !o.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** Why the request must be refused, or empty if it may go on. */
    public Optional<String> refusal(String host, String origin) {
        if (host == null || host.isBlank()) {
            return Optional.of("missing Host header");
        }
        String hostName = hostWithoutPort(host.trim().toLowerCase(Locale.ROOT));
        if (!LOOPBACK_HOSTS.contains(hostName) && !allowedHosts.contains(hostName)) {
            return Optional.of("Host '" + hostName + "' is not served here; add it to "
                    + "tollgate.ingress.allowed-hosts if this gateway is reached by that name");
        }
        if (origin == null) {
            return Optional.empty(); // not a browser: no cross-origin risk
        }
        String normalized = normalizeOrigin(origin);
        if (allowedOrigins.contains(normalized) || isLoopbackOrigin(normalized)) {
            return Optional.empty();
        }
        return Optional.of("Origin '" + origin.strip() + "' is not allowed; add it to "
                + "tollgate.ingress.allowed-origins to let a browser page call the gateway");
    }

    static String hostWithoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        if (colon >= 0 && host.indexOf(':', colon + 1) < 0) {
            return host.substring(0, colon);
        }
        return host;
    }

    private static boolean isLoopbackOrigin(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                return false;
            }
            String host = uri.getHost();
            return host != null && LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String normalizeOrigin(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
