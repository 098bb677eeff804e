package dev.tollgate.runtime.security.oidc;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An issuer of JWTs this gateway trusts (for agents' workload identity or for admins), and what
 * every one of its tokens must have to be believed. Built only through {@link #of}, which refuses a
 * configuration that would let through tokens that should not pass.
 *
 * @param name the short name configuration gives it ({@code k8s-prod})
 * @param issuer the exact {@code iss} of its tokens; empty only for a SPIFFE trust domain's
 *        issuer, whose tokens then carry no {@code iss}
 * @param spiffeTrustDomain for the JWT-SVIDs of a SPIFFE trust domain ({@code example.org}): the
 *        trust domain every token's {@code sub} must be a SPIFFE ID of, by which a token without
 *        {@code iss} is routed here
 * @param jwksUri where its signing keys are (a SPIFFE trust domain's bundle); empty: found by OIDC
 *        discovery from the issuer
 * @param audiences a token must name one of these in {@code aud}
 * @param requiredClaims top-level claims that must have exactly these string values (for GitHub
 *        Actions, where anyone can get a token: {@code repository_owner})
 * @param maxTokenLifetime the longest {@code exp - iat} accepted, if capped
 */
public record TrustedIssuer(String name, Optional<String> issuer,
        Optional<String> spiffeTrustDomain, Optional<URI> jwksUri, Set<String> audiences,
        Map<String, String> requiredClaims, Optional<Duration> maxTokenLifetime) {

    /** The {@code iss} of the ingress's own gateway tokens: no trusted issuer may take it. */
    public static final String GATEWAY_ISSUER = "tollgate";
    /** The {@code aud} of the ingress's own gateway tokens: no trusted issuer may accept it. */
    public static final String GATEWAY_AUDIENCE = "tollgate-mcp";

    /**
     * GitHub Actions' issuer on github.com: every GitHub user's workflow can get a token of it,
     * for any audience it asks for (an enterprise's own issuer, this URL followed by
     * {@code /<enterprise>}, gives tokens to that enterprise's workflows only).
     */
    public static final String GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
    /** Claims of a GitHub Actions token that name whose workflow it is. */
    static final Set<String> GITHUB_ACTIONS_OWNER_CLAIMS = Set.of("repository_owner",
            "repository_owner_id", "repository", "repository_id", "enterprise", "enterprise_id");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern POINTER = Pattern.compile("(/[^/]{1,64}){1,8}");

    /**
     * The configured issuer (not a SPIFFE trust domain's), checked.
     *
     * @see #of(String, String, String, String, String, List, String, String, Map)
     */
    public static TrustedIssuer of(String settings, String name, String issuer, String jwksUri,
            List<String> audiences, String defaultAudience, String defaultAudienceSetting,
            Map<String, String> requiredClaims) {
        return of(settings, name, issuer, null, jwksUri, audiences, defaultAudience,
                defaultAudienceSetting, requiredClaims);
    }

    /**
     * The configured issuer, checked.
     *
     * @param settings the configuration key of the issuers' map, named in refusals
     * @param audiences {@code aud} values accepted; empty: {@code defaultAudience}
     * @param defaultAudience this gateway's resource URI, when configured (RFC 8707); else null
     * @param defaultAudienceSetting the setting that gives {@code defaultAudience}, named when no
     *        audience is given; null where there is no default
     * @param spiffeTrustDomain the SPIFFE trust domain whose JWT-SVIDs these are; null or blank:
     *        none. With it, {@code jwksUri} is required (its bundle: there may be no issuer to
     *        discover keys from) and {@code issuer} optional
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static TrustedIssuer of(String settings, String name, String issuer,
            String spiffeTrustDomain, String jwksUri, List<String> audiences,
            String defaultAudience, String defaultAudienceSetting,
            Map<String, String> requiredClaims) {
        String at = settings + "." + name;
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(settings + ": the name '" + name
                    + "' must be 1 to 32 lower-case letters, digits or '-'");
        }
        Optional<String> trustDomain = Optional.ofNullable(spiffeTrustDomain).filter(
                domain -> !domain.isBlank()).map(
                        domain -> SpiffeId.checkTrustDomain(at
                                + ".spiffe-trust-domain", domain));
        Optional<String> iss = Optional.ofNullable(issuer).filter(value -> !value.isBlank());
        if (iss.isEmpty() && trustDomain.isEmpty()) {
            throw new IllegalArgumentException(at + ".issuer is required: the exact 'iss' of"
                    + " the tokens (or, for SPIFFE JWT-SVIDs without one, set"
                    + " spiffe-trust-domain)");
        }
        if (iss.isPresent() && iss.get().equals(GATEWAY_ISSUER)) {
            throw new IllegalArgumentException(at + ".issuer must not be '" + GATEWAY_ISSUER
                    + "': that is the gateway's own tokens' issuer");
        }
        iss.ifPresent(value -> requireSecureUri(at + ".issuer", value));
        Optional<URI> keys = Optional.empty();
        if (jwksUri != null && !jwksUri.isBlank()) {
            keys = Optional.of(requireSecureUri(at + ".jwks-uri", jwksUri));
        } else if (trustDomain.isPresent()) {
            throw new IllegalArgumentException(at + ".jwks-uri is required with"
                    + " spiffe-trust-domain: the trust domain's JWT bundle (e.g. SPIRE's OIDC"
                    + " discovery provider's /keys); keys are not discovered for it");
        }
        Set<String> accepted = audiences == null || audiences.isEmpty()
                ? defaultAudience == null || defaultAudience.isBlank()
                        ? Set.of()
                        : Set.of(defaultAudience)
                : Set.copyOf(audiences);
        if (accepted.isEmpty() || accepted.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(at + ".audiences is required"
                    + (defaultAudienceSetting == null
                            ? ""
                            : " (or set " + defaultAudienceSetting + ", the default audience)")
                    + ": a token issued for another service must not work here");
        }
        if (accepted.contains(GATEWAY_AUDIENCE)) {
            throw new IllegalArgumentException(at + ".audiences must not contain '"
                    + GATEWAY_AUDIENCE + "', the gateway tokens' audience");
        }
        Map<String, String> required = requiredClaims == null
                ? Map.of()
                : Map.copyOf(
                        requiredClaims);
        for (Map.Entry<String, String> claim : required.entrySet()) {
            if (!CLAIM.matcher(claim.getKey()).matches() || claim.getValue() == null
                    || claim.getValue().isEmpty()) {
                throw new IllegalArgumentException(at + ".required-claims: '" + claim.getKey()
                        + "' must be a top-level claim name with a non-empty value");
            }
        }
        if (iss.isPresent() && iss.get().replaceFirst("/+$", "").equals(GITHUB_ACTIONS_ISSUER)
                && required.keySet().stream().noneMatch(GITHUB_ACTIONS_OWNER_CLAIMS::contains)) {
            throw new IllegalArgumentException(at + ".required-claims must name whose workflows"
                    + " are trusted (repository_owner_id, repository_owner, repository_id,"
                    + " repository, enterprise_id or enterprise, e.g. repository_owner: octo):"
                    + " every GitHub user's workflow can get a token of " + GITHUB_ACTIONS_ISSUER
                    + " for any audience it asks for");
        }
        return new TrustedIssuer(name, iss, trustDomain, keys, accepted, required,
                defaultCap(trustDomain));
    }

    /**
     * A SPIFFE issuer's cap when none is configured: its JWT-SVIDs need no {@code iat}, so
     * without a cap one could be accepted until any {@code exp} it names, and an agent's
     * revocation could only treat it as issued at the epoch. SPIRE's own default lifetime is
     * five minutes.
     */
    public static final Duration SPIFFE_DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofHours(1);

    private static Optional<Duration> defaultCap(Optional<String> trustDomain) {
        return trustDomain.map(domain -> SPIFFE_DEFAULT_MAX_TOKEN_LIFETIME);
    }

    /**
     * This issuer, refusing tokens that live longer than {@code max} ({@code exp - iat}; for a
     * SPIFFE token without {@code iat}, {@code exp} further than {@code max} from now); null: no
     * cap, or for a SPIFFE issuer {@link #SPIFFE_DEFAULT_MAX_TOKEN_LIFETIME}.
     *
     * @throws IllegalArgumentException when {@code max} is not positive
     */
    public TrustedIssuer withMaxTokenLifetime(Duration max) {
        if (max != null && (max.isNegative() || max.isZero())) {
            throw new IllegalArgumentException(name + ".max-token-lifetime must be positive");
        }
        return new TrustedIssuer(name, issuer, spiffeTrustDomain, jwksUri, audiences,
                requiredClaims, Optional.ofNullable(max).or(() -> defaultCap(
                        spiffeTrustDomain)));
    }

    /** Whose tokens these are, for logs: the {@code iss}, else the SPIFFE trust domain. */
    public String label() {
        return issuer.orElseGet(() -> "spiffe://" + spiffeTrustDomain.orElseThrow());
    }

    /**
     * Where OIDC discovery finds the issuer's metadata (OpenID Connect Discovery 1.0).
     *
     * @throws java.util.NoSuchElementException for an issuer configured without {@code iss}
     */
    public URI discoveryUri() {
        String issuer = this.issuer.orElseThrow();
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /**
     * Checks a setting naming a claim: a top-level claim name ({@code sub}) or a JSON pointer
     * ({@code /kubernetes.io/namespace}).
     */
    public static void checkClaim(String setting, String claim) {
        if (claim == null || (!CLAIM.matcher(claim).matches() && !POINTER.matcher(claim)
                .matches())) {
            throw new IllegalArgumentException(setting + " must be a claim name (sub) or a JSON"
                    + " pointer (/kubernetes.io/namespace), not '" + claim + "'");
        }
    }

    /**
     * An https URI, or http to a loopback address (a provider on the same host, tests): keys
     * fetched in the clear from elsewhere could be replaced on the way.
     */
    public static URI requireSecureUri(String setting, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a URI: " + e.getMessage());
        }
        String host = uri.getHost();
        if (host == null || uri.getScheme() == null) {
            throw new IllegalArgumentException(setting + " must be an absolute https URI");
        }
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1")
                || host.equals("[::1]");
        if (!uri.getScheme().equals("https") && !(uri.getScheme().equals("http") && loopback)) {
            throw new IllegalArgumentException(setting + " must use https (http only to"
                    + " localhost): keys fetched in the clear could be replaced on the way");
        }
        return uri;
    }
}
