package dev.tollgate.executor.core;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the one redirect the executor follows by hand may lead. No transport follows a redirect
 * by itself (one could carry the credential to a route or host the decision never named); a
 * job's log is the exception, because GitHub answers its URL with a redirect to a short-lived
 * signed URL. That one redirect is fetched once, without any credential, and only:
 *
 * <ul>
 * <li>over {@code https}, or to the API's own scheme, host and port (a stand-in on loopback);
 * <li>to a host that is not an address literal of this machine or its networks (loopback,
 * link-local such as the cloud metadata address {@code 169.254.169.254}, site-local, any-local,
 * IPv6 unique-local), unless it is the API's own host;
 * <li>without user information in the URL.
 * </ul>
 *
 * <p>Pure: no name is resolved here (the transport refuses a name that resolves to such an
 * address when it connects).
 */
public final class RedirectTarget {

    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
    /** A last label no DNS name has: digits or hex, as in {@code 2130706433} or {@code 0x7f.1}. */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("^(0x[0-9a-f]*|[0-9]+)$",
            Pattern.CASE_INSENSITIVE);

    private RedirectTarget() {
    }

    /**
     * The URL to fetch, without a credential, for a redirect answered to a request at {@code from}
     * under the API at {@code api}.
     *
     * @param status the redirect's status
     * @param location its {@code Location} header (relative to {@code from} or absolute), or null
     * @throws GitHubCallException {@code redirect_not_followed}, naming why, when it may not be
     *         followed
     */
    public static URI of(URI api, URI from, int status, String location) {
        if (location == null || location.isBlank()) {
            throw refused(status, "a redirect without a Location");
        }
        URI target;
        try {
            target = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw refused(status, "a redirect to a malformed URL");
        }
        String host = target.getHost();
        if (!target.isAbsolute() || host == null || host.isEmpty()) {
            throw refused(status, "a redirect without a host");
        }
        if (target.getRawUserInfo() != null) {
            throw refused(status, "a redirect to a URL with user information");
        }
        boolean apiHost = host.equalsIgnoreCase(api.getHost());
        if (!"https".equalsIgnoreCase(target.getScheme()) && !(apiHost && sameSchemeAndPort(api,
                target))) {
            throw refused(status, "a redirect to " + target.getScheme() + ":, not https");
        }
        if (!apiHost && isLocalAddress(host)) {
            throw refused(status, "a redirect to the address " + host + ", which is this"
                    + " machine's or its network's (loopback, link-local, site-local or"
                    + " any-local)");
        }
        return target;
    }

    /**
     * Whether {@code host} (as in a URL, IPv6 in brackets) is an address literal of this machine
     * or its networks, or a numeric form that a resolver may read as an address
     * ({@code 2130706433}, {@code 0x7f.1}). A DNS name is not: it is not resolved here.
     */
    public static boolean isLocalAddress(String host) {
        String bare = host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
        String lastLabel = bare.substring(bare.lastIndexOf('.') + 1);
        if (!bare.contains(":") && !DOTTED_QUAD.matcher(bare).matches()) {
            // Not a plain address: a name, unless its last label is a number no name ends with.
            return NUMERIC_LABEL.matcher(lastLabel).matches();
        }
        try {
            return isLocal(InetAddress.getByName(bare)); // a literal: nothing is resolved
        } catch (UnknownHostException | RuntimeException e) {
            return true; // not a valid literal either: refused rather than guessed
        }
    }

    /**
     * Whether {@code address} is loopback, link-local (the cloud metadata endpoint), site-local,
     * any-local or IPv6 unique-local ({@code fc00::/7}).
     */
    public static boolean isLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        boolean uniqueLocal = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
        return address.isLoopbackAddress() || address.isLinkLocalAddress() || address
                .isSiteLocalAddress() || address.isAnyLocalAddress() || uniqueLocal;
    }

    private static boolean sameSchemeAndPort(URI api, URI target) {
        return api.getScheme().equalsIgnoreCase(target.getScheme()) && port(api) == port(target);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme().toLowerCase(Locale.ROOT)) ? 443 : 80;
    }

    private static GitHubCallException refused(int status, String what) {
        // The one redirect followed by hand leads only where no credential or internal service
        // can be reached: anything else is refused, and nothing is fetched.
        return new GitHubCallException(GitHubError.of(ErrorClass.REDIRECT_NOT_FOLLOWED, status,
                "GitHub answered HTTP " + status + " with " + what + ", which Tollgate does not"
                        + " follow; nothing was fetched from there",
                null));
    }
}
