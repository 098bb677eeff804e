package dev.tollgate.runtime.security.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
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
 * exactly that issuer's, or, for a token without {@code iss}, when its {@code sub} is a SPIFFE ID
 * (read strictly, see {@link SpiffeId}) of exactly that issuer's SPIFFE trust domain; its signature
 * must then verify with one of that issuer's keys (asymmetric algorithms only: never {@code none},
 * never a MAC, so a public key cannot serve as a secret; a key or key address the token carries is
 * ignored), it must not be typed as a gateway token, and its {@code aud}, {@code exp}, {@code iat}
 * (optional for a SPIFFE trust domain's JWT-SVIDs, checked when present), {@code nbf} and required
 * claims must hold; a SPIFFE trust domain's token must have a SPIFFE ID of that trust domain as
 * {@code sub}, whether it has {@code iss} or not. No key is ever fetched for an issuer that is not
 * configured, and what a token says cannot choose where keys come from. Only a token whose three
 * parts are canonical base64url (no padding, no unused bits set, nothing a decoder would skip) is
 * read, so that each token has one spelling and one digest.
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
    /** A JWT-SVID's: none, JWT or JOSE (the JWT-SVID standard). */
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> SVID_TYPES = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, JOSEObjectType.JOSE, null);
    /** The {@code use} of a key a SPIFFE bundle gives for JWT-SVIDs. */
    static final KeyUse JWT_SVID = new KeyUse("jwt-svid");

    /**
     * A token that verified.
     *
     * @param issuer whose it is
     * @param claims its claims
     * @param digest the hex SHA-256 of the token: an identifier of it, never the token
     * @param issuedAt its {@code iat}; for a SPIFFE token without one, the earliest it can have
     *        been issued as far as the gateway knows ({@code exp} less the issuer's
     *        {@code max-token-lifetime}, else the epoch), so that a revocation of everything
     *        issued before an instant never misses it
     * @param expiresAt its {@code exp}
     * @param spiffeId its {@code sub}, for a SPIFFE trust domain's token
     */
    public record Verified(TrustedIssuer issuer, JWTClaimsSet claims, String digest,
            Instant issuedAt, Instant expiresAt, Optional<SpiffeId> spiffeId) {
    }

    private record Issuer(TrustedIssuer trust, DefaultJWTProcessor<SecurityContext> processor) {
    }

    /**
     * Selects keys as nimbus does for a JWS header, also taking a SPIFFE bundle's keys for
     * JWT-SVIDs ({@code "use":"jwt-svid"}); never its X.509 authorities ({@code x509-svid}).
     */
    private static final class SvidKeySelector extends JWSVerificationKeySelector<SecurityContext> {

        SvidKeySelector(JWKSource<SecurityContext> keys) {
            super(ALGORITHMS, keys);
        }

        @Override
        protected JWKMatcher createJWKMatcher(JWSHeader header) {
            JWKMatcher matcher = super.createJWKMatcher(header);
            return matcher == null
                    ? null
                    : new JWKMatcher.Builder(matcher).keyUses(KeyUse.SIGNATURE, JWT_SVID,
                            null).build();
        }
    }

    private final Map<String, Issuer> byIssuer;
    private final Map<String, Issuer> byTrustDomain;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /**
     * @param issuers the trusted issuers (their {@code iss} values, and their SPIFFE trust
     *        domains, must differ)
     * @param keys each issuer's signing keys (fetched and cached; see {@link IssuerKeys})
     * @throws IllegalArgumentException when two issuers share an {@code iss} or a trust domain
     */
    public TrustedJwts(List<TrustedIssuer> issuers,
            Function<TrustedIssuer, JWKSource<SecurityContext>> keys, Clock clock) {
        Map<String, Issuer> map = new LinkedHashMap<>();
        Map<String, Issuer> domains = new LinkedHashMap<>();
        for (TrustedIssuer issuer : issuers) {
            DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
            JWKSource<SecurityContext> source = keys.apply(issuer);
            if (issuer.spiffeTrustDomain().isPresent()) {
                processor.setJWSTypeVerifier(SVID_TYPES);
                processor.setJWSKeySelector(new SvidKeySelector(source));
            } else {
                processor.setJWSTypeVerifier(TYPES);
                processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS,
                        source));
            }
            processor.setJWTClaimsSetVerifier((claims, context) -> {
            }); // the claims are checked below, against the injected clock
            Issuer entry = new Issuer(issuer, processor);
            if (issuer.issuer().isPresent()) {
                Issuer before = map.putIfAbsent(issuer.issuer().get(), entry);
                if (before != null) {
                    throw new IllegalArgumentException("two trusted issuers have the issuer "
                            + issuer.issuer().get() + " (" + before.trust().name() + " and "
                            + issuer.name() + ")");
                }
            }
            if (issuer.spiffeTrustDomain().isPresent()) {
                Issuer before = domains.putIfAbsent(issuer.spiffeTrustDomain().get(), entry);
                if (before != null) {
                    throw new IllegalArgumentException("two trusted issuers have the SPIFFE"
                            + " trust domain " + issuer.spiffeTrustDomain().get() + " ("
                            + before.trust().name() + " and " + issuer.name() + ")");
                }
            }
        }
        this.byIssuer = Map.copyOf(map);
        this.byTrustDomain = Map.copyOf(domains);
        this.clock = clock;
    }

    /** No issuer configured. */
    public boolean isEmpty() {
        return byIssuer.isEmpty() && byTrustDomain.isEmpty();
    }

    /**
     * The configured issuer that {@code token} claims to come from, before anything is verified:
     * by its {@code iss}, or, without one, by the trust domain of the SPIFFE ID in its
     * {@code sub}; empty for a gateway token, for anything unreadable and for other issuers.
     */
    public Optional<TrustedIssuer> claimedIssuer(String token) {
        if (isEmpty() || token == null || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            return Optional.of(route(SignedJWT.parse(token).getJWTClaimsSet()).trust());
        } catch (ParseException | JwtRejectedException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code token} is to be checked here rather than elsewhere (as a gateway token): it
     * claims a configured issuer, or it is a JWT without {@code iss} while a SPIFFE trust domain
     * is trusted (no gateway token lacks {@code iss}), so that {@link #verify} says what is wrong
     * with it.
     */
    public boolean routesHere(String token) {
        if (claimedIssuer(token).isPresent()) {
            return true;
        }
        if (byTrustDomain.isEmpty() || token == null || token.length() > MAX_TOKEN_CHARS) {
            return false;
        }
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getIssuer() == null;
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }

    /** The issuer whose token these (unverified) claims say they are, or why there is none. */
    private Issuer route(JWTClaimsSet claims) throws JwtRejectedException {
        String iss = claims.getIssuer();
        if (iss != null) {
            Issuer issuer = byIssuer.get(iss);
            if (issuer == null) {
                throw new JwtRejectedException("token issuer is not trusted by this gateway");
            }
            return issuer;
        }
        if (byTrustDomain.isEmpty()) {
            throw new JwtRejectedException("token issuer is not trusted by this gateway (it has"
                    + " no iss)");
        }
        SpiffeId id;
        try {
            id = SpiffeId.parse(claims.getSubject());
        } catch (IllegalArgumentException e) {
            throw new JwtRejectedException("token has no iss, and its sub is not a SPIFFE ID of"
                    + " a trusted trust domain: it " + e.getMessage());
        }
        Issuer issuer = byTrustDomain.get(id.trustDomain());
        if (issuer == null) {
            throw new JwtRejectedException("token has no iss, and the trust domain of the SPIFFE"
                    + " ID in its sub is not trusted by this gateway");
        }
        return issuer;
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
        JWTClaimsSet unverified;
        try {
            jwt = SignedJWT.parse(token);
            unverified = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new JwtRejectedException("not a signed JWT");
        }
        // Base64url leaves the last character's low bits unused, and decoders ignore them, padding
        // and stray characters: a token would have other spellings that verify, each with its own
        // digest (its audit ID, what revoking it by ID names). Only the issuer's one spelling is
        // accepted; this reads the token's text only, before any key is looked at.
        for (Base64URL part : jwt.getParsedParts()) {
            if (!Base64URL.encode(part.decode()).toString().equals(part.toString())) {
                throw new JwtRejectedException("token is not in canonical base64url form");
            }
        }
        Issuer issuer = route(unverified);
        TrustedIssuer trust = issuer.trust();
        boolean svid = trust.spiffeTrustDomain().isPresent();
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
        if (exp == null || (iat == null && !svid)) {
            throw new JwtRejectedException(svid ? "token lacks exp" : "token lacks exp or iat");
        }
        if (!now.isBefore(exp.toInstant())) {
            throw new JwtRejectedException("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if ((iat != null && iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) || (nbf != null && nbf
                .toInstant().isAfter(now.plus(CLOCK_SKEW)))) {
            throw new JwtRejectedException("token is not valid yet");
        }
        Optional<Duration> cap = trust.maxTokenLifetime();
        if (cap.isPresent() && iat != null && Duration.between(iat.toInstant(), exp.toInstant())
                .compareTo(cap.get()) > 0) {
            throw new JwtRejectedException("token lives longer than issuer " + trust.name()
                    + " allows (" + cap.get().toSeconds() + " s from iat to exp)");
        }
        if (cap.isPresent() && iat == null && Duration.between(now, exp.toInstant()).compareTo(
                cap.get()) > 0) {
            throw new JwtRejectedException("token has no iat and expires later than issuer "
                    + trust.name() + " allows (" + cap.get().toSeconds() + " s from now)");
        }
        for (Map.Entry<String, String> required : trust.requiredClaims().entrySet()) {
            if (!required.getValue().equals(claims.getClaim(required.getKey()))) {
                throw new JwtRejectedException("token's claim " + required.getKey()
                        + " does not have the value issuer " + trust.name() + " requires");
            }
        }
        Optional<SpiffeId> spiffeId = Optional.empty();
        if (svid) {
            spiffeId = Optional.of(spiffeId(trust, claims.getSubject()));
        }
        Instant issuedAt = iat != null
                ? iat.toInstant()
                : cap.map(max -> exp.toInstant().minus(max)).orElse(Instant.EPOCH);
        return new Verified(trust, claims, digest, issuedAt, exp.toInstant(), spiffeId);
    }

    /** The SPIFFE ID {@code sub} is, of {@code trust}'s trust domain; else why it is refused. */
    private static SpiffeId spiffeId(TrustedIssuer trust, String sub) throws JwtRejectedException {
        SpiffeId id;
        try {
            id = SpiffeId.parse(sub);
        } catch (IllegalArgumentException e) {
            throw new JwtRejectedException("token's sub is not a SPIFFE ID of issuer "
                    + trust.name() + "'s trust domain: it " + e.getMessage());
        }
        if (!id.trustDomain().equals(trust.spiffeTrustDomain().orElseThrow())) {
            throw new JwtRejectedException("token's sub is a SPIFFE ID of another trust domain"
                    + " than issuer " + trust.name() + "'s");
        }
        return id;
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
