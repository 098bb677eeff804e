package dev.tollgate.ingress.core.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.runtime.security.oidc.TrustedIssuer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mints and verifies gateway tokens: JWTs signed by the gateway with HMAC-SHA256 (nimbus-jose-jwt),
 * carrying the agent ID ({@code sub}), environment ({@code env}), optional grant narrowing
 * ({@code grants}), ID ({@code jti}), issue time and expiry. Only HS256 with this key is accepted:
 * {@code alg=none}, other algorithms, other keys, other issuers or audiences, expired tokens and
 * tokens from the future are refused. Time comes from the injected clock.
 *
 * <p>A token that passed every check is remembered by its SHA-256 digest (never its value), at most
 * {@link #VERIFIED_CACHE_ENTRIES} of them, so an agent's next call with the same token skips the
 * JWT parsing and HMAC; its expiry is still checked on every call from the remembered identity, and
 * revocation is checked by the caller every time. A cache only: forgetting it changes nothing.
 */
public final class GatewayTokens {

    public static final String ISSUER = TrustedIssuer.GATEWAY_ISSUER;
    public static final String AUDIENCE = TrustedIssuer.GATEWAY_AUDIENCE;
    public static final JOSEObjectType TYPE = new JOSEObjectType("tollgate-agent+jwt");
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** Claims of the rotation family: its ID, the token's generation, its first issue, its end. */
    static final String FAMILY = "fam";
    static final String GENERATION = "gen";
    static final String FAMILY_ISSUED_AT = "fiat";
    static final String FAMILY_EXPIRES_AT = "fexp";

    /** A freshly minted token: the value goes to the caller only, never to a log or topic. */
    public record Minted(String token, AgentIdentity identity) {

        @Override
        public String toString() {
            return "Minted[token=<redacted>, identity=" + identity + "]";
        }
    }

    private final byte[] key;
    private final String keyId;
    private final Clock clock;
    private final Collection<String> knownTools;
    private final Map<Digest, AgentIdentity> verified = new ConcurrentHashMap<>();

    /** Most verified tokens remembered; when full the cache starts over. */
    static final int VERIFIED_CACHE_ENTRIES = 10_000;

    /** A token's SHA-256, as the cache key. */
    private record Digest(long a, long b, long c, long d) {

        static Digest of(String token) {
            try {
                ByteBuffer sha = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token
                        .getBytes(StandardCharsets.UTF_8)));
                return new Digest(sha.getLong(), sha.getLong(), sha.getLong(), sha.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * @param key the HMAC key, at least 32 bytes
     * @param knownTools tool names a grant narrowing may mention
     */
    public GatewayTokens(byte[] key, Clock clock, Collection<String> knownTools) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the token signing key must be at least 32 bytes "
                    + "(256 bits), got " + key.length);
        }
        this.key = key.clone();
        this.keyId = keyId(key);
        this.clock = clock;
        this.knownTools = List.copyOf(knownTools);
    }

    /**
     * The first token of a new rotation family: valid for {@code lifetime}, and no rotation of it
     * valid after {@code familyLifetime} from now.
     */
    public Minted mint(String agentId, String environment, Duration lifetime,
            Optional<GrantNarrowing> narrowing, Duration familyLifetime) {
        Instant issuedAt = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        String tokenId = UUID.randomUUID().toString();
        Instant familyExpiresAt = issuedAt.plus(familyLifetime);
        return sign(agentId, environment, narrowing, tokenId, issuedAt, earliest(issuedAt.plus(
                lifetime), familyExpiresAt), new AgentIdentity.Family(tokenId, 0, issuedAt,
                        familyExpiresAt));
    }

    /** A token of its own family, for at most {@code lifetime} (tests, tools). */
    public Minted mint(String agentId, String environment, Duration lifetime,
            Optional<GrantNarrowing> narrowing) {
        return mint(agentId, environment, lifetime, narrowing, lifetime);
    }

    /**
     * The next generation of {@code parent}'s family: the same agent, environment and narrowing,
     * the parent's lifetime from now, but never past the family's expiry nor {@code maxLifetime}
     * from now.
     *
     * @throws TokenRejectedException when the family has expired
     */
    public Minted rotate(AgentIdentity parent, Duration maxLifetime)
            throws TokenRejectedException {
        Instant issuedAt = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        AgentIdentity.Family family = parent.family();
        Duration lifetime = Duration.between(parent.issuedAt(), parent.expiresAt());
        Instant expiresAt = earliest(earliest(issuedAt.plus(lifetime), issuedAt.plus(
                maxLifetime)), family.expiresAt());
        if (!expiresAt.isAfter(issuedAt)) {
            throw new TokenRejectedException("token family expired at " + family.expiresAt()
                    + "; ask an admin for a new token");
        }
        int generation = family.generation() + 1;
        return sign(parent.agentId(), parent.environment(), parent.narrowing(), TokenIds.member(
                family.id(), generation), issuedAt, expiresAt,
                new AgentIdentity.Family(family
                        .id(), generation, family.issuedAt(), family.expiresAt()));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private Minted sign(String agentId, String environment, Optional<GrantNarrowing> narrowing,
            String tokenId, Instant issuedAt, Instant expiresAt, AgentIdentity.Family family) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE)
                .subject(agentId).jwtID(tokenId).issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt)).expirationTime(Date.from(expiresAt))
                .claim("env", environment).claim(FAMILY, family.id()).claim(GENERATION, family
                        .generation())
                .claim(FAMILY_ISSUED_AT, family.issuedAt().getEpochSecond()).claim(
                        FAMILY_EXPIRES_AT, family.expiresAt().getEpochSecond());
        narrowing.filter(n -> !n.isEmpty()).ifPresent(n -> claims.claim("grants", n.toClaim()));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(TYPE)
                .keyID(keyId).build(), claims.build());
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a gateway token: " + e.getMessage(), e);
        }
        return new Minted(jwt.serialize(), new AgentIdentity(agentId, environment, tokenId,
                issuedAt, expiresAt, narrowing.filter(n -> !n.isEmpty()), family));
    }

    /**
     * Verifies signature, algorithm, issuer, audience and times.
     *
     * @throws TokenRejectedException with a reason safe to show the caller
     */
    public AgentIdentity verify(String token) throws TokenRejectedException {
        if (token == null || token.isBlank()) {
            throw new TokenRejectedException("no token");
        }
        if (token.length() > 8192) {
            throw new TokenRejectedException("token is too long");
        }
        Digest digest = Digest.of(token);
        AgentIdentity known = verified.get(digest);
        if (known != null) {
            if (!clock.instant().isBefore(known.expiresAt())) {
                verified.remove(digest);
                throw new TokenRejectedException("token expired at " + known.expiresAt());
            }
            if (!clock.instant().isBefore(known.family().expiresAt())) {
                verified.remove(digest);
                throw new TokenRejectedException("token family expired at " + known.family()
                        .expiresAt());
            }
            return known;
        }
        AgentIdentity identity = verifyFully(token);
        if (verified.size() >= VERIFIED_CACHE_ENTRIES) {
            verified.clear();
        }
        verified.put(digest, identity);
        return identity;
    }

    /** Tokens remembered as verified (for tests). */
    int verifiedCacheSize() {
        return verified.size();
    }

    private AgentIdentity verifyFully(String token) throws TokenRejectedException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new TokenRejectedException("not a signed gateway token");
        }
        // Base64url leaves the last character's low bits unused and decoders ignore them, so a
        // token has other spellings that verify; only the one this gateway wrote is accepted.
        for (Base64URL part : jwt.getParsedParts()) {
            if (!Base64URL.encode(part.decode()).toString().equals(part.toString())) {
                throw new TokenRejectedException("token is not in canonical base64url form");
            }
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new TokenRejectedException("token algorithm "
                    + jwt.getHeader().getAlgorithm() + " is not accepted");
        }
        if (jwt.getHeader().getCriticalParams() != null
                && !jwt.getHeader().getCriticalParams().isEmpty()) {
            throw new TokenRejectedException("token has unsupported critical header parameters");
        }
        try {
            if (!jwt.verify(new MACVerifier(key))) {
                throw new TokenRejectedException("token signature is not valid");
            }
        } catch (JOSEException e) {
            throw new TokenRejectedException("token signature is not valid");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejectedException("token claims are not readable");
        }
        return identity(claims);
    }

    private AgentIdentity identity(JWTClaimsSet claims) throws TokenRejectedException {
        Instant now = clock.instant();
        if (!ISSUER.equals(claims.getIssuer())) {
            throw new TokenRejectedException("token was not issued by this gateway");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
            throw new TokenRejectedException("token is not meant for the MCP endpoint");
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null || claims.getJWTID() == null
                || claims.getSubject() == null) {
            throw new TokenRejectedException("token lacks exp, iat, jti or sub");
        }
        if (!now.isBefore(exp.toInstant())) {
            throw new TokenRejectedException("token expired at " + exp.toInstant());
        }
        if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW)) || (claims.getNotBeforeTime() != null
                && claims.getNotBeforeTime().toInstant().isAfter(now.plus(CLOCK_SKEW)))) {
            throw new TokenRejectedException("token is not valid yet");
        }
        String environment;
        Optional<GrantNarrowing> narrowing;
        try {
            environment = claims.getStringClaim("env");
            Map<String, Object> grants = claims.getJSONObjectClaim("grants");
            narrowing = grants == null
                    ? Optional.empty()
                    : Optional.of(GrantNarrowing.parse(grants, knownTools));
        } catch (ParseException | InvalidTokenRequestException e) {
            throw new TokenRejectedException("token claims are malformed");
        }
        if (environment == null) {
            throw new TokenRejectedException("token lacks env");
        }
        AgentIdentity.Family family = family(claims, iat.toInstant(), exp.toInstant());
        if (!now.isBefore(family.expiresAt())) {
            throw new TokenRejectedException("token family expired at " + family.expiresAt());
        }
        return new AgentIdentity(claims.getSubject(), environment, claims.getJWTID(),
                iat.toInstant(), exp.toInstant(), narrowing, family);
    }

    /**
     * The family claims; a token without them (issued before families existed) is a family of its
     * own. Signed by this gateway, but still checked to be consistent with the token's ID.
     */
    private static AgentIdentity.Family family(JWTClaimsSet claims, Instant issuedAt,
            Instant expiresAt) throws TokenRejectedException {
        if (claims.getClaim(FAMILY) == null) {
            return new AgentIdentity.Family(claims.getJWTID(), 0, issuedAt, expiresAt);
        }
        try {
            String id = claims.getStringClaim(FAMILY);
            Integer generation = claims.getIntegerClaim(GENERATION);
            Long first = claims.getLongClaim(FAMILY_ISSUED_AT);
            Long end = claims.getLongClaim(FAMILY_EXPIRES_AT);
            if (id == null || generation == null || generation < 0 || first == null
                    || end == null || !TokenIds.member(id, generation).equals(claims.getJWTID())
                    || Instant.ofEpochSecond(first).isAfter(issuedAt)) {
                throw new TokenRejectedException("token family claims are malformed");
            }
            return new AgentIdentity.Family(id, generation, Instant.ofEpochSecond(first), Instant
                    .ofEpochSecond(end));
        } catch (ParseException e) {
            throw new TokenRejectedException("token family claims are malformed");
        }
    }

    /** A short, non-reversible identifier of the key, so operators can tell keys apart. */
    static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    ("tollgate-kid:" + Base64.getEncoder().encodeToString(key))
                            .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0,
                    12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
