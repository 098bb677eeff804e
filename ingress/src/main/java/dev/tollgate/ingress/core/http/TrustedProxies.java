package dev.tollgate.ingress.core.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The proxies whose {@code X-Forwarded-For} the ingress believes ({@code tollgate.ingress.trusted-
 * proxies}): IP addresses, written out, never names (a name would be resolved once, and whoever
 * controls its DNS would choose whom the ingress trusts). A request from one of them is from the
 * address its proxy names; any other request is from its own peer, whatever its headers say.
 * Without this list nobody is trusted: the client address is always the peer's.
 */
public final class TrustedProxies {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final List<String> addresses;

    private TrustedProxies(List<String> addresses) {
        this.addresses = List.copyOf(addresses);
    }

    /**
     * The list from its setting.
     *
     * @throws IllegalArgumentException naming the entry that is not an IP address
     */
    public static TrustedProxies of(List<String> entries) {
        Set<String> addresses = new LinkedHashSet<>();
        for (String entry : entries == null ? List.<String>of() : entries) {
            String text = entry == null ? "" : entry.strip();
            if (text.isEmpty()) {
                continue;
            }
            addresses.add(canonical(text));
        }
        return new TrustedProxies(new ArrayList<>(addresses));
    }

    private static String canonical(String text) {
        boolean literal = IPV4.matcher(text).matches() || text.contains(":") && IPV6.matcher(text)
                .matches();
        if (!literal) {
            throw new IllegalArgumentException("tollgate.ingress.trusted-proxies: '" + printable(
                    text) + "' is not an IP address; list the proxies' addresses (e.g. 10.0.0.7,"
                    + " fd00::7), not names or ranges");
        }
        try {
            // a literal is only parsed, never looked up
            return InetAddress.getByName(text).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("tollgate.ingress.trusted-proxies: '" + printable(
                    text) + "' is not an IP address", e);
        }
    }

    private static String printable(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    public boolean isEmpty() {
        return addresses.isEmpty();
    }

    /** The addresses as the servlet container prints a peer's (IPv6 written out in full). */
    public List<String> addresses() {
        return addresses;
    }

    /** A regular expression matching exactly these addresses (Tomcat's internalProxies). */
    public String regex() {
        List<String> quoted = new ArrayList<>();
        for (String address : addresses) {
            quoted.add(Pattern.quote(address));
        }
        return String.join("|", quoted);
    }
}
