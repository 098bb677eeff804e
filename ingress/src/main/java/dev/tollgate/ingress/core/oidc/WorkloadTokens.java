package dev.tollgate.ingress.core.oidc;

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
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
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
 * Verifies workload identity tokens (JWTs of configured OIDC issuers) and maps each to the agent
 * and environment its issuer's configuration names. A token is routed here only by an {@code iss}
 * equal to a configured issuer's; its signature must then verify with one of that issuer's keys
 * (asymmetric algorithms only: never {@code none}, never a MAC, so a public key cannot serve as a
 * secret), and its {@code aud}, {@code exp}, {@code iat}, {@code nbf} and required claims must
 * hold. No key is ever fetched for an issuer that is not configured, and what a token says cannot
 * choose where keys come from.
 *
 * <p>A verified token is remembered (by its SHA-256, up to {@link #VERIFIED_CACHE_ENTRIES}) until
 * it expires, so an agent's next call skips the signature check; revocation is checked by the
 * caller on every call.
 */
public final class WorkloadTokens {

    /** Verified tokens remembered; the memory is emptied when full. */
    static final int VERIFIED_CACHE_ENTRIES = 4096;
    /** Longest token read: a Kubernetes service-account token is about 1 kB. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** Asymmetric signatures only. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** No type, JWT, or an OAuth access token (RFC 9068); never a gateway token's type. */
    private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES = new DefaultJOSEObjectTypeVerifier<>(
            JOSEObjectType.JWT, new JOSEObjectType("at+jwt"),
            new JOSEObjectType("application/at+jwt"), null);

    private final Map<String, Issuer> byIssuer;
    private final Clock clock;
    private final Map<String, AgentIdentity> verified = new ConcurrentHashMap<>();

    private record Issuer(WorkloadIssuer rules, DefaultJWTProcessor<SecurityContext> processor) {
    }

    /**
     * @param issuers the trusted issuers (their {@code iss} values must differ)
     * @param keys each issuer's signing keys (fetched and cached; see {@link IssuerKeys})
     */
    public WorkloadTokens(List<WorkloadIssuer> issuers,
            Function<WorkloadIssuer, JWKSource<SecurityContext>> keys, Clock clock) {
        Map<String, Issuer> map = new LinkedHashMap<>();
        for (WorkloadIssuer issuer : issuers) {
            if (map.containsKey(issuer.issuer())) {
                throw new IllegalArgumentException("tollgate.ingress.oidc.issuers: two issuers"
                        + " have the issuer " + issuer.issuer());
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

    /** No issuer configured: only gateway tokens are accepted. */
    public boolean isEmpty() {
        return byIssuer.isEmpty();
    }

    /** The configured issuers, in no particular order. */
    public List<WorkloadIssuer> issuers() {
        return byIssuer.values().stream().map(Issuer::rules).toList();
    }

    /**
     * The configured issuer that {@code token} claims to come from, before anything is verified;
     * empty for a gateway token, for anything unreadable and for other issuers.
     */
    public Optional<WorkloadIssuer> claimedIssuer(String token) {
        if (byIssuer.isEmpty() || token == null || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            String iss = SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
            Issuer issuer = iss == null ? null : byIssuer.get(iss);
            return issuer == null ? Optional.empty() : Optional.of(issuer.rules());
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The agent a workload token proves, or why not.
     *
     * @throws TokenRejectedException with a reason safe to show the caller (never the token,
     *         never a claim's value)
     */
    public AgentIdentity verify(String token) throws TokenRejectedException {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejectedException("token is missing or too long");
        }
        String digest = digest(token);
        AgentIdentity known = verified.get(digest);
        Instant now = clock.instant();
        if (known != null) {
            if (!now.isBefore(known.expiresAt())) {
                verified.remove(digest);
                throw new TokenRejectedException("token expired at " + known.expiresAt());
            }
            return known;
        }
        AgentIdentity identity = verifyFully(token, digest, now);
        if (verified.size() >= VERIFIED_CACHE_ENTRIES) {
            verified.clear();
        }
        verified.put(digest, identity);
        return identity;
    }

    private AgentIdentity verifyFully(String token, String digest, Instant now)
            throws TokenRejectedException {
        SignedJWT jwt;
        Issuer issuer;
        try {
            jwt = SignedJWT.parse(token);
            String iss = jwt.getJWTClaimsSet().getIssuer();
            issuer = iss == null ? null : byIssuer.get(iss);
        } catch (ParseException | RuntimeException e) {
            throw new TokenRejectedException("not a signed JWT");
        }
        if (issuer == null) {
            throw new TokenRejectedException("token issuer is not trusted by this gateway");
        }
        WorkloadIssuer rules = issuer.rules();
        if (!ALGORITHMS.contains(jwt.getHeader().getAlgorithm())) {
            throw new TokenRejectedException("token algorithm " + jwt.getHeader().getAlgorithm()
                    + " is not accepted (asymmetric signatures only)");
        }
        JWTClaimsSet claims;
        try {
            claims = issuer.processor().process(jwt, null);
        } catch (KeySourceException e) {
            throw new TokenRejectedException("the signing keys of issuer " + rules.name()
                    + " cannot be fetched now; try again later");
        } catch (BadJOSEException | JOSEException e) {
            throw new TokenRejectedException("token signature does not verify with any key of"
                    + " issuer " + rules.name() + " (or its type is not a JWT's)");
        }
        return identity(rules, claims, digest, now);
    }

    private AgentIdentity identity(WorkloadIssuer rules, JWTClaimsSet claims, String digest,
            Instant now) throws TokenRejectedException {
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(rules.audiences()::contains)) {
            throw new TokenRejectedException("token was not issued for this gateway (its"
                    + " audience must include one of " + String.join(", ", rules.audiences())
                    + ")");
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null) {
            throw new TokenRejectedException("token lacks exp or iat");
        }
        if (!now.isBefore(exp.toInstant())) {
            throw new TokenRejectedException("token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (iat.toInstant().isAfter(now.plus(CLOCK_SKEW)) || (nbf != null && nbf.toInstant()
                .isAfter(now.plus(CLOCK_SKEW)))) {
            throw new TokenRejectedException("token is not valid yet");
        }
        for (Map.Entry<String, String> required : rules.requiredClaims().entrySet()) {
            if (!required.getValue().equals(claims.getClaim(required.getKey()))) {
                throw new TokenRejectedException("token's claim " + required.getKey()
                        + " does not have the value issuer " + rules.name() + " requires");
            }
        }
        Object agentValue = claim(claims, rules.agentClaim());
        String agent = agentValue instanceof String s ? rules.agentPrefix() + s : null;
        if (agent == null || !TokenRules.isAgentId(agent)) {
            throw new TokenRejectedException("token's claim " + rules.agentClaim()
                    + " does not name a usable agent (1 to 128 letters, digits, '.', '_', '@',"
                    + " ':', '/' or '-' with the prefix)");
        }
        String environment;
        if (rules.environmentClaim().isPresent()) {
            Object value = claim(claims, rules.environmentClaim().get());
            if (!(value instanceof String s) || !TokenRules.isEnvironment(s)) {
                throw new TokenRejectedException("token's claim " + rules.environmentClaim()
                        .get() + " does not name a usable environment (1 to 63 lower-case"
                        + " letters, digits, '_' or '-')");
            }
            environment = s;
        } else {
            environment = rules.environment().orElseThrow();
        }
        String tokenId = "oidc:" + rules.name() + ":" + digest.substring(0, 24);
        return new AgentIdentity(agent, environment, tokenId, iat.toInstant(), exp.toInstant(),
                Optional.empty(), new AgentIdentity.Family(tokenId, 0, iat.toInstant(), exp
                        .toInstant()),
                AgentIdentity.OIDC_PREFIX + rules.name());
    }

    /** A top-level claim, or the value a JSON pointer names in the claims. */
    static Object claim(JWTClaimsSet claims, String path) {
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
