package dev.tollgate.runtime.security.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Verifies JWTs of trusted issuers. A token is checked as an issuer's only when its {@code iss} is
 * exactly that issuer's; its signature must then verify with one of that issuer's keys (asymmetric
 * algorithms only: never {@code none}, never a MAC, so a public key cannot serve as a secret; a key
 * or key address the token carries is ignored), it must not be typed as a gateway token, and its
 * {@code aud}, {@code exp}, {@code iat}, {@code nbf} and required claims must hold. No key is ever
 * fetched for an issuer that is not configured, and what a token says cannot choose where keys
 * come from.
 *
 * <p>A verified token is remembered (by its SHA-256, up to {@link #VERIFIED_CACHE_ENTRIES}) until
 * it expires, so the next call with it skips the signature check.
 */
public final class TrustedJwts {

    /** Verified tokens remembered; the memory is emptied when full. */
    static final int VERIFIED_CACHE_ENTRIES = 4096;
    /** Longest token read: a Kubernetes service-account token is about 1 kB. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** Asymmetric signatures only. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** No type, JWT, or an OAuth access token (RFC 9068); never a gateway token's type. */
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
            new JOSEObjectType("application/at+jwt"), null);

    /**
     * A token that verified.
     *
     * @param issuer whose it is
     * @param claims its claims
     * @param digest the hex SHA-256 of the token: an identifier of it, never the token
     * @param issuedAt its {@code iat}
     * @param expiresAt its {@code exp}
     */
    public record Verified(TrustedIssuer issuer, JWTClaimsSet claims, String digest,
            Instant issuedAt, Instant expiresAt) {
    }

    private record Issuer(TrustedIssuer trust, DefaultJWTProcessor<SecurityContext> processor) {
    }

    private final Map<String, Issuer> byIssuer;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /**
     * @param issuers the trusted issuers (their {@code iss} values must differ)
     * @param keys each issuer's signing keys (fetched and cached; see {@link IssuerKeys})
     * @throws IllegalArgumentException when two issuers share an {@code iss}
     */
    public TrustedJwts(List<TrustedIssuer> issuers,
            Function<TrustedIssuer, JWKSource<SecurityContext>> keys, Clock clock) {
        Map<String, Issuer> map = new LinkedHashMap<>();
        for (TrustedIssuer issuer : issuers) {
            if (map.containsKey(issuer.issuer())) {
                throw new IllegalArgumentException("two trusted issuers have the issuer "
                        + issuer.issuer() + " (" + map.get(issuer.issuer()).trust().name()
                        + " and " + issuer.name() + ")");
            }
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            processor.setJWSTypeVerifier(TYPES);
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys.apply(
                    issuer)));
            processor.setJWTClaimsSetVerifier((claims, context) -> {
            }); // the claims are checked below, against the injected clock
            map.put(issuer.issuer(), new Issuer(issuer, processor));
        }
        this.byIssuer = Map.copyOf(map);
        this.clock = clock;
    }

    /** No issuer configured. */
    public boolean isEmpty() {
        return byIssuer.isEmpty();
    }

    /**
     * The configured issuer that {@code token} claims to come from, before anything is verified;
     * empty for a gateway token, for anything unreadable and for other issuers.
     */
    public Optional<TrustedIssuer> claimedIssuer(String token) {
        if (byIssuer.isEmpty() || token == null || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            String iss = SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
            Issuer issuer = iss == null ? null : byIssuer.get(iss);
            return issuer == null ? Optional.empty() : Optional.of(issuer.trust());
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The token's issuer and claims, once everything every trusted token must have holds.
     *
     * @throws JwtRejectedException with a reason safe to show the caller (never the token,
     *         never a claim's value)
     */
    public Verified verify(String token) throws JwtRejectedException {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw new JwtRejectedException("token is missing or too long");
        }
        String digest = digest(token);
        Verified known = verified.get(digest);
        Instant now = clock.instant();
        if (known != null) {
            if (!now.isBefore(known.expiresAt())) {
                verified.remove(digest);
                throw new JwtRejectedException("token expired at " + known.expiresAt());
            }
            return known;
        }
        Verified fresh = verifyFully(token, digest, now);
        if (verified.size() >= VERIFIED_CACHE_ENTRIES) {
            verified.clear();
        }
        verified.put(digest, fresh);
        return fresh;
    }

    private Verified verifyFully(String token, String digest, Instant now)
            throws JwtRejectedException {
        SignedJWT jwt;
        Issuer issuer;
        try {
            jwt = SignedJWT.parse(token);
            String iss = jwt.getJWTClaimsSet().getIssuer();
            issuer = iss == null ? null : byIssuer.get(iss);
        } catch (ParseException | RuntimeException e) {
            throw new JwtRejectedException("not a signed JWT");
        }
        if (issuer == null) {
            throw new JwtRejectedException("token issuer is not trusted by this gateway");
        }
        TrustedIssuer trust = issuer.trust();
        if (!ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
            throw new JwtRejectedException("token algorithm " + jwt.getHeader().getAlgorithm()
                    + " is not accepted (asymmetric signatures only)");
        }
        JWTClaimsSet claims;
        try {
            claims = issuer.processor().process(jwt, null);
        } catch (KeySourceException e) {
            throw new JwtRejectedException("the signing keys of issuer " + trust.name()
                    + " cannot be fetched now; try again later");
        } catch (BadJOSEException | JOSEException e) {
            throw new JwtRejectedException("token signature does not verify with any key of"
                    + " issuer " + trust.name() + " (or its type is not a JWT's)");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(trust.audiences()::contains)) {
            throw new JwtRejectedException("token was not issued for this gateway (its"
                    + " audience must include one of " + String.join(", ", trust.audiences())
                    + ")");
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null) {
            throw new JwtRejectedException("token lacks exp or iat");
        }
        if (!now.isBefore(exp.toInstant())) {
            throw new JwtRejectedException("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW)) || (nbf != null && nbf.toInstant()
                .isAfter(now.plus(CLOCK_SKEW)))) {
            throw new JwtRejectedException("token is not valid yet");
        }
        if (trust.maxTokenLifetime().isPresent() && Duration.between(iat.toInstant(), exp
                .toInstant()).compareTo(trust.maxTokenLifetime().get()) > 0) {
            throw new JwtRejectedException("token lives longer than issuer " + trust.name()
                    + " allows (" + trust.maxTokenLifetime().get().toSeconds() + " s from iat to"
                    + " exp)");
        }
        for (Map.Entry<String, String> required : trust.requiredClaims().entrySet()) {
            if (!required.getValue().equals(claims.getClaim(required.getKey()))) {
                throw new JwtRejectedException("token's claim " + required.getKey()
                        + " does not have the value issuer " + trust.name() + " requires");
            }
        }
        return new Verified(trust, claims, digest, iat.toInstant(), exp.toInstant());
    }

    /** A top-level claim, or the value a JSON pointer names in the claims. */
    public static Object claim(JWTClaimsSet claims, String path) {
        if (!path.startsWith("/")) {
            return claims.getClaim(path);
        }
        Object node = claims.toJSONObject();
        for (String segment : path.substring(1).split("/", -1)) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(segment.replace("~1", "/").replace("~0", "~"));
        }
        return node;
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
