package dev.tollgate.runtime.security.oidc;

import java.util.regex.Pattern;

/**
 * A SPIFFE ID ({@code spiffe://<trust domain>/<path>}, the SPIFFE ID standard) of a workload, read
 * strictly: the {@code spiffe} scheme in lower case, a trust domain of lower-case letters, digits,
 * {@code .}, {@code -} and {@code _} (no port, no user info), and a path of one or more non-empty
 * segments of letters, digits, {@code .}, {@code -} and {@code _}, none {@code .} or {@code ..}; no
 * query, no fragment, no percent-encoding, at most {@link #MAX_LENGTH} characters. Anything else is
 * refused, never normalized, so that two spellings cannot name one workload (nor one spelling two).
 *
 * @param trustDomain its trust domain ({@code example.org})
 * @param path its path without the leading {@code /} ({@code ns/ci/sa/agent-7})
 */
public record SpiffeId(String trustDomain, String path) {

    /** The longest SPIFFE ID read (the standard's interoperability limit, in ASCII). */
    public static final int MAX_LENGTH = 2048;
    /** The longest trust domain name (a URI host's limit). */
    public static final int MAX_TRUST_DOMAIN_LENGTH = 255;
    private static final String SCHEME = "spiffe://";
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * The SPIFFE ID {@code value} is.
     *
     * @throws IllegalArgumentException saying what is wrong with it, without repeating it (it may
     *         come from a token an attacker wrote)
     */
    public static SpiffeId parse(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("is missing");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
        }
        if (!value.startsWith(SCHEME)) {
            throw new IllegalArgumentException("does not start with " + SCHEME);
        }
        if (value.indexOf('?') >= 0 || value.indexOf('#') >= 0) {
            throw new IllegalArgumentException("has a query or fragment");
        }
        String rest = value.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        String problem = trustDomainProblem(trustDomain);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (slash < 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("has no path (a workload's ID names it after the"
                    + " trust domain)");
        }
        String path = rest.substring(slash + 1);
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("has an empty path segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("has a '.' or '..' path segment");
            }
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("has a path segment with other characters"
                        + " than letters, digits, '.', '-' or '_'");
            }
        }
        return new SpiffeId(trustDomain, path);
    }

    /**
     * Checks a configured trust domain name: as in a SPIFFE ID, and given alone.
     *
     * @throws IllegalArgumentException naming {@code setting}
     */
    public static String checkTrustDomain(String setting, String value) {
        if (trustDomainProblem(value) != null) {
            throw new IllegalArgumentException(setting + " must be a trust domain name alone (e.g."
                    + " example.org): 1 to " + MAX_TRUST_DOMAIN_LENGTH + " lower-case letters,"
                    + " digits, '.', '-' or '_', no scheme, port or path; not '" + value + "'");
        }
        return value;
    }

    /** What is wrong with a trust domain name; null when nothing is. */
    private static String trustDomainProblem(String trustDomain) {
        if (trustDomain == null || trustDomain.isEmpty()) {
            return "has no trust domain";
        }
        if (trustDomain.length() > MAX_TRUST_DOMAIN_LENGTH) {
            return "has a trust domain longer than " + MAX_TRUST_DOMAIN_LENGTH + " characters";
        }
        if (trustDomain.indexOf('@') >= 0) {
            return "has user info (not allowed in a SPIFFE ID)";
        }
        if (trustDomain.indexOf(':') >= 0) {
            return "has a port (not allowed in a SPIFFE ID)";
        }
        if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
            return "has a trust domain with other characters than lower-case letters, digits,"
                    + " '.', '-' or '_'";
        }
        return null;
    }

    @Override
    public String toString() {
        return SCHEME + trustDomain + "/" + path;
    }
}
