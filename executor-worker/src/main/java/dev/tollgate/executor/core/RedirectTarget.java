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
 * <li>over {@code https}, or to the API's own origin (its scheme, host and port: a stand-in on
 * loopback);
 * <li>to a host that is not an address of this machine or its networks ({@link #isLocal}:
 * loopback, link-local such as the cloud metadata address {@code 169.254.169.254}, private,
 * shared (CGNAT), any-local, multicast or reserved, in IPv4 or IPv6, an IPv4 address embedded in
 * IPv6 included), unless it is the API's own origin: an address literal in any form a resolver
 * may read as one ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}, {@code 127.0.0.1.}) is
 * refused here;
 * <li>without user information in the URL.
 * </ul>
 *
 * <p>Pure: no name is resolved here. The transport refuses a name that resolves to such an address
 * with the very addresses it then connects to (no second lookup a rebinding DNS could answer
 * differently), and says so with {@link #refusedLocalName}.
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
            throw refusedMalformed(status);
        }
        String host = target.getHost();
        if (!target.isAbsolute() || host == null || host.isEmpty()) {
            throw refused(status, "a redirect without a host");
        }
        if (target.getRawUserInfo() != null) {
            throw refused(status, "a redirect to a URL with user information");
        }
        boolean apiOrigin = host.equalsIgnoreCase(api.getHost()) && sameSchemeAndPort(api,
                target);
        if (!"https".equalsIgnoreCase(target.getScheme()) && !apiOrigin) {
            throw refused(status, "a redirect to " + target.getScheme() + ":, not https");
        }
        if (!apiOrigin && isLocalAddress(host)) {
            throw refusedLocalAddress(status, host);
        }
        return target;
    }

    /**
     * The refusal of a redirect to a URL that cannot be read, here or as a transport's client
     * reads it.
     */
    public static GitHubCallException refusedMalformed(int status) {
        return refused(status, "a redirect to a malformed URL");
    }

    /**
     * The refusal of a redirect to {@code host}, an address of this machine or its network: as
     * the transport says it when OkHttp reads the URL's host as such an address literal.
     */
    public static GitHubCallException refusedLocalAddress(int status, String host) {
        return refused(status, "a redirect to the address " + host + ", which is this"
                + " machine's or its network's (loopback, link-local, private or any-local)");
    }

    /**
     * The refusal of a redirect to {@code host}, a name that resolved to an address of this
     * machine or its network: the addresses are not told (they are the network's, not the
     * agent's to learn).
     */
    public static GitHubCallException refusedLocalName(int status, String host) {
        return refused(status, "a redirect to " + host + ", a name that resolves to an address"
                + " of this machine or its network (loopback, link-local, private or any-local)");
    }

    /**
     * Whether {@code host} (as in a URL, IPv6 in brackets) is an address literal of this machine
     * or its networks ({@link #isLocal}), or a numeric form that a resolver may read as an
     * address ({@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1}; a trailing dot, as in
     * {@code 127.0.0.1.}, changes nothing). A DNS name is not: it is not resolved here.
     */
    public static boolean isLocalAddress(String host) {
        String bare = host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
        if (bare.endsWith(".")) {
            bare = bare.substring(0, bare.length() - 1); // the root label: the same host
        }
        String lastLabel = bare.substring(bare.lastIndexOf('.') + 1);
        if (!bare.contains(":") && !DOTTED_QUAD.matcher(bare).matches()) {
            // Not a plain address: a name, unless its last label is a number no name ends with.
            return lastLabel.isEmpty() || NUMERIC_LABEL.matcher(lastLabel).matches();
        }
        try {
            return isLocal(InetAddress.getByName(bare)); // a literal: nothing is resolved
        } catch (UnknownHostException | RuntimeException e) {
            return true; // not a valid literal either: refused rather than guessed
        }
    }

    /**
     * Whether {@code address} is one no redirect may reach: in IPv4 "this network"
     * ({@code 0.0.0.0/8}), private ({@code 10/8}, {@code 172.16/12}, {@code 192.168/16}),
     * shared/CGNAT ({@code 100.64/10}, where some clouds keep their metadata service),
     * loopback ({@code 127/8}), link-local ({@code 169.254/16}: the cloud metadata endpoint),
     * IETF protocol assignments ({@code 192.0.0/24}), benchmarking ({@code 198.18/15}),
     * multicast, reserved and broadcast ({@code 224/3}); in IPv6 loopback, unspecified,
     * link-local, site-local, unique-local ({@code fc00::/7}: AWS's {@code fd00:ec2::254}),
     * multicast, NAT64's local-use {@code 64:ff9b:1::/48}, and any IPv6 address that carries an
     * IPv4 one (mapped {@code ::ffff:0:0/96}, translated {@code ::ffff:0:0:0/96}, compatible
     * {@code ::/96}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}, Teredo
     * {@code 2001::/32}) when that IPv4 address is one. A resolver may hand back an IPv4-mapped
     * address as an {@code Inet6Address}, which a dual-stack socket connects to over IPv4.
     */
    public static boolean isLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return isLocalIpv4(bytes[0] & 0xff, bytes[1] & 0xff, bytes[2] & 0xff);
        }
        byte[] ipv4 = embeddedIpv4(bytes);
        if (ipv4 != null && isLocalIpv4(ipv4[0] & 0xff, ipv4[1] & 0xff, ipv4[2] & 0xff)) {
            return true;
        }
        boolean uniqueLocal = (bytes[0] & 0xfe) == 0xfc;
        boolean multicast = (bytes[0] & 0xff) == 0xff;
        boolean nat64LocalUse = prefix(bytes, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01);
        return address.isLoopbackAddress() || address.isLinkLocalAddress() || address
                .isSiteLocalAddress() || address.isAnyLocalAddress() || uniqueLocal || multicast
                || nat64LocalUse;
    }

    private static boolean isLocalIpv4(int a, int b, int c) {
        return a == 0 || a == 10 || a == 127 || a >= 224 // this network, private, loopback, 224/3
                || (a == 100 && (b & 0xc0) == 64) // shared address space (CGNAT)
                || (a == 169 && b == 254) // link-local: the cloud metadata endpoint
                || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) // private
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 198 && (b & 0xfe) == 18); // benchmarking
    }

    /** The IPv4 address an IPv6 one carries (see {@link #isLocal}), or null. */
    private static byte[] embeddedIpv4(byte[] v6) {
        boolean zeros64 = prefix(v6, 0, 0, 0, 0, 0, 0, 0, 0);
        if (zeros64 && prefix(java.util.Arrays.copyOfRange(v6, 8, 12), 0, 0, 0xff, 0xff)) {
            return java.util.Arrays.copyOfRange(v6, 12, 16); // mapped ::ffff:a.b.c.d
        }
        if (zeros64 && prefix(java.util.Arrays.copyOfRange(v6, 8, 12), 0xff, 0xff, 0, 0)) {
            return java.util.Arrays.copyOfRange(v6, 12, 16); // translated ::ffff:0:a.b.c.d
        }
        if (zeros64 && prefix(java.util.Arrays.copyOfRange(v6, 8, 12), 0, 0, 0, 0)) {
            return java.util.Arrays.copyOfRange(v6, 12, 16); // compatible ::a.b.c.d
        }
        if (prefix(v6, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0)) {
            return java.util.Arrays.copyOfRange(v6, 12, 16); // NAT64 64:ff9b::a.b.c.d
        }
        if (prefix(v6, 0x20, 0x02)) {
            return java.util.Arrays.copyOfRange(v6, 2, 6); // 6to4 2002:aabb:ccdd::
        }
        if (prefix(v6, 0x20, 0x01, 0x00, 0x00)) {
            byte[] client = java.util.Arrays.copyOfRange(v6, 12, 16); // Teredo: inverted
            for (int i = 0; i < client.length; i++) {
                client[i] = (byte) ~client[i];
            }
            return client;
        }
        return null;
    }

    private static boolean prefix(byte[] bytes, int... expected) {
        for (int i = 0; i < expected.length; i++) {
            if ((bytes[i] & 0xff) != expected[i]) {
                return false;
            }
        }
        return true;
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
