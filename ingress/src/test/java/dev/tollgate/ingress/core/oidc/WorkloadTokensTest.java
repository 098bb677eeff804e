package dev.tollgate.ingress.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.runtime.security.oidc.TrustedJwts;
import dev.tollgate.testsupport.MutableClock;
import dev.tollgate.tools.ToolCatalogue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Workload identity tokens as an attacker would present them: for another audience, expired, from
 * the future, signed by someone else's key, with the public key as a MAC secret, unsigned, typed
 * as a gateway token, from an issuer the gateway does not trust, with claims that would name
 * another agent; and as a real issuer's tokens are shaped (Kubernetes, GitHub Actions).
 */
class WorkloadTokensTest {

    private static final String ISSUER = "https://idp.example.com";
    private static final String K8S = "https://kubernetes.default.svc.cluster.local";
    private static final String AUDIENCE = "https://tollgate.example.com/mcp";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private final RSAKey key = generateRsa("k1");
    private final ECKey k8sKey = generateEc("k8s-1");

    private final WorkloadIssuer ci = WorkloadIssuer.of("ci", ISSUER, null, List.of(), AUDIENCE,
            null, "ci:", null, "ci", Map.of("repository_owner", "octo"), true);
    private final WorkloadIssuer k8s = WorkloadIssuer.of("k8s", K8S, "https://k8s.internal/jwks",
            List.of("tollgate"), null, "sub", "k8s:", "/kubernetes.io/namespace", null, Map.of(),
            false);

    private final WorkloadTokens tokens = new WorkloadTokens(List.of(ci, k8s),
            issuer -> new ImmutableJWKSet<>(new JWKSet(issuer == ci.trust()
                    ? key.toPublicJWK()
                    : k8sKey.toPublicJWK())),
            clock);

    private static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JWTClaimsSet.Builder ciClaims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("runner-7")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date
                        .from(now.plus(Duration.ofMinutes(10))))
                .claim("repository_owner",
                        "octo");
    }

    private String sign(RSAKey with, JWTClaimsSet claims) {
        return sign(with, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
    }

    private static String sign(RSAKey with, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new RSASSASigner(with));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String ciToken(UnaryOperator<JWTClaimsSet.Builder> change) {
        return sign(key, change.apply(ciClaims()).build());
    }

    private String k8sToken(String namespace, String serviceAccount) throws Exception {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(K8S).audience(List.of("tollgate",
                "other")).subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(
                        1))))
                .claim("kubernetes.io", Map.of("namespace", namespace,
                        "serviceaccount", Map.of("name", serviceAccount, "uid", "u-1")))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(k8sKey
                .getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(k8sKey));
        return jwt.serialize();
    }

    private String refusal(String token) {
        return refusal(tokens, token);
    }

    /** Why {@code tokens} refuse {@code token}; null when they accept it. */
    static String refusal(WorkloadTokens tokens, String token) {
        try {
            tokens.verify(token);
            return null;
        } catch (TokenRejectedException e) {
            return e.getMessage();
        }
    }

    @Test
    void aTokenOfATrustedIssuerNamesThePrefixedAgentAndTheConfiguredEnvironment()
            throws Exception {
        String token = ciToken(claims -> claims);

        assertThat(tokens.claimedIssuer(token)).contains(ci);
        AgentIdentity identity = tokens.verify(token);

        assertThat(identity.agentId()).isEqualTo("ci:runner-7");
        assertThat(identity.environment()).isEqualTo("ci");
        assertThat(identity.credential()).isEqualTo("oidc:ci");
        assertThat(identity.isGatewayToken()).isFalse();
        assertThat(identity.narrowing()).isEmpty();
        assertThat(identity.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(identity.family().issuedAt()).isEqualTo(clock.instant());
        // an identifier of the token for the audit, never the token
        String sha = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
        assertThat(identity.tokenId()).isEqualTo("oidc:ci:" + sha.substring(0, 24))
                .doesNotContain(token.substring(token.lastIndexOf('.') + 1));
    }

    @Test
    void aKubernetesServiceAccountTokenMapsToItsNamespaceQualifiedAccountAndItsNamespace()
            throws Exception {
        AgentIdentity identity = tokens.verify(k8sToken("build", "runner"));
        AgentIdentity sameNameElsewhere = tokens.verify(k8sToken("scratch", "runner"));

        assertThat(identity.agentId()).isEqualTo("k8s:system:serviceaccount:build:runner");
        assertThat(identity.environment()).isEqualTo("build");
        assertThat(identity.credential()).isEqualTo("oidc:k8s");
        assertThat(sameNameElsewhere.agentId()).as("another namespace's account of the same"
                + " name is another agent").isEqualTo("k8s:system:serviceaccount:scratch:runner");
    }

    @Test
    void aNamespaceThatIsNoEnvironmentNameIsRefused() throws Exception {
        assertThat(refusal(k8sToken("Build", "runner"))).contains(
                "/kubernetes.io/namespace does not name a usable environment");
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWithoutEchoingItsAudience() {
        String reason = refusal(ciToken(claims -> claims.audience("https://evil.example/steal")));

        assertThat(reason).contains("not issued for this gateway").contains(AUDIENCE)
                .doesNotContain("evil");
        assertThat(refusal(ciToken(claims -> claims.audience((String) null)))).contains(
                "not issued for this gateway");
    }

    @Test
    void expiredFutureAndUndatedTokensAreRefused() {
        Instant now = clock.instant();
        assertThat(refusal(ciToken(claims -> claims.expirationTime(Date.from(now.minusSeconds(
                1)))))).contains("expired");
        assertThat(refusal(ciToken(claims -> claims.issueTime(Date.from(now.plusSeconds(
                120)))))).contains("not valid yet");
        assertThat(refusal(ciToken(claims -> claims.notBeforeTime(Date.from(now.plusSeconds(
                120)))))).contains("not valid yet");
        assertThat(refusal(ciToken(claims -> claims.issueTime(null)))).contains("lacks exp or iat");
        assertThat(refusal(ciToken(claims -> claims.expirationTime(null)))).contains(
                "lacks exp or iat");
    }

    /** {@code token} with its signature's last character's lowest (unused) bit flipped. */
    private static String withUnusedBitFlipped(String token) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        return token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last)
                ^ 1);
    }

    private static byte[] signatureBytes(String token) {
        return com.nimbusds.jose.util.Base64URL.from(token.substring(token.lastIndexOf('.') + 1))
                .decode();
    }

    @Test
    void otherSpellingsOfAValidTokenAreRefusedLikeAnyInvalidToken() throws Exception {
        String token = ciToken(claims -> claims);
        String k8sToken = k8sToken("build", "runner");
        // An RS256 signature here is 256 bytes and an ES256 one 64: either ends in a base64url
        // character with four unused bits, which decoders ignore; they ignore padding and
        // characters outside the alphabet too. Each spelling would be a token ID of its own.
        List<String> respellings = List.of(withUnusedBitFlipped(token), token + "==",
                token.substring(0, token.length() - 5) + "*" + token.substring(token.length()
                        - 5),
                withUnusedBitFlipped(k8sToken), k8sToken + "=");
        assertThat(signatureBytes(respellings.get(0))).as("the same signature bytes").isEqualTo(
                signatureBytes(token));
        assertThat(signatureBytes(respellings.get(3))).as("the same signature bytes").isEqualTo(
                signatureBytes(k8sToken));

        for (String respelled : respellings) {
            assertThat(tokens.routesHere(respelled)).as("checked as a workload token").isTrue();
            assertThat(refusal(respelled)).isEqualTo("token is not in canonical base64url form");
        }
        assertThat(tokens.verify(token).agentId()).isEqualTo("ci:runner-7");
        assertThat(tokens.verify(k8sToken).agentId()).isEqualTo(
                "k8s:system:serviceaccount:build:runner");
        // and after the canonical one is remembered as verified, still refused
        assertThat(refusal(withUnusedBitFlipped(token))).isEqualTo(
                "token is not in canonical base64url form");
    }

    @Test
    void theSpellingIsCheckedBeforeAnyKeyIsLookedAt() {
        WorkloadTokens withoutKeys = new WorkloadTokens(List.of(ci), issuer -> (selector,
                context) -> {
            throw new AssertionError("a key was looked up for a token in another spelling");
        }, clock);

        assertThat(refusal(withoutKeys, ciToken(claims -> claims) + "==")).isEqualTo(
                "token is not in canonical base64url form");
    }

    @Test
    void aTokenSignedWithAnotherKeyUnderTheSameKeyIdIsRefused() {
        RSAKey impostor = generateRsa("k1");
        String token = sign(impostor, ciClaims().build());

        assertThat(refusal(token)).contains("does not verify with any key of issuer ci");
    }

    @Test
    void aTokenCarryingItsOwnKeyOrKeyAddressIsRefused() throws Exception {
        RSAKey attacker = generateRsa("k1");
        String embedded = sign(attacker, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1")
                .jwk(attacker.toPublicJWK()).build(), ciClaims().build());
        String pointed = sign(attacker, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1")
                .jwkURL(java.net.URI.create("https://evil.example/jwks")).build(),
                ciClaims()
                        .build());

        assertThat(refusal(embedded)).contains("does not verify");
        assertThat(refusal(pointed)).contains("does not verify");
    }

    @Test
    void thePublicKeyUsedAsAMacSecretIsRefused() throws Exception {
        // the classic algorithm confusion: HS256 keyed with the issuer's public key
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1")
                .build(), ciClaims().build());
        jwt.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));

        assertThat(refusal(jwt.serialize())).contains("algorithm HS256 is not accepted");
    }

    @Test
    void anUnsignedTokenIsNeitherRoutedHereNorAccepted() {
        String token = new PlainJWT(ciClaims().build()).serialize();

        assertThat(tokens.claimedIssuer(token)).isEmpty();
        assertThat(refusal(token)).isEqualTo("not a signed JWT");
    }

    @Test
    void aTokenTypedAsAGatewayTokenIsRefused() {
        String token = sign(key, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(
                GatewayTokens.TYPE).build(), ciClaims().build());

        assertThat(refusal(token)).contains("does not verify");
    }

    @Test
    void aTokenOfAnotherRepositoryOwnerIsRefused() {
        // on GitHub Actions anyone can get a token of the same issuer for any audience
        assertThat(refusal(ciToken(claims -> claims.claim("repository_owner", "mallory"))))
                .contains("repository_owner does not have the value issuer ci requires")
                .doesNotContain("mallory");
        assertThat(refusal(ciToken(claims -> claims.claim("repository_owner", null))))
                .contains("repository_owner");
    }

    @Test
    void aClaimThatWouldNotBeAnAgentIdIsRefusedNotRewritten() {
        assertThat(refusal(ciToken(claims -> claims.subject("runner 7 -->")))).contains(
                "claim sub does not name a usable agent");
        assertThat(refusal(ciToken(claims -> claims.subject("a\nb")))).contains("usable agent");
        assertThat(refusal(ciToken(claims -> claims.subject(null)))).contains("usable agent");
        assertThat(refusal(ciToken(claims -> claims.claim("sub", List.of("x"))))).isEqualTo(
                "not a signed JWT"); // nimbus reads no claims set with a sub that is no string
        assertThat(refusal(ciToken(claims -> claims.subject("x".repeat(126))))).contains(
                "usable agent"); // the prefix makes it 129
    }

    @Test
    void tokensOfUntrustedIssuersAndGatewayTokensAreNotRoutedHere() {
        String untrusted = sign(key, ciClaims().issuer("https://other.example.com").build());
        assertThat(tokens.claimedIssuer(untrusted)).isEmpty();
        assertThat(refusal(untrusted)).contains("issuer is not trusted");

        GatewayTokens gateway = new GatewayTokens("0123456789abcdef0123456789abcdef-oidc"
                .getBytes(StandardCharsets.UTF_8), clock, ToolCatalogue.standard().names());
        String minted = gateway.mint("a", "dev", Duration.ofHours(1), Optional.empty(), Duration
                .ofDays(1)).token();
        assertThat(tokens.claimedIssuer(minted)).isEmpty();
        assertThat(tokens.claimedIssuer("not.a.jwt")).isEmpty();
        assertThat(tokens.claimedIssuer("x".repeat(TrustedJwts.MAX_TOKEN_CHARS + 1)))
                .isEmpty();
    }

    @Test
    void aRememberedTokenStillExpires() throws Exception {
        String token = ciToken(claims -> claims);
        AgentIdentity first = tokens.verify(token);
        assertThat(tokens.verify(token)).isEqualTo(first);

        clock.advance(Duration.ofMinutes(10));

        assertThat(refusal(token)).contains("expired");
    }

    @Test
    void anIssuerMayCapHowLongItsTokensLive() throws Exception {
        WorkloadTokens capped = new WorkloadTokens(List.of(ci.withMaxTokenLifetime(Duration
                .ofMinutes(10))), issuer -> new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())),
                clock);

        assertThat(capped.verify(ciToken(claims -> claims)).agentId()).isEqualTo("ci:runner-7");
        assertThatThrownBy(() -> capped.verify(ciToken(claims -> claims.expirationTime(Date.from(
                clock.instant().plus(Duration.ofDays(365))))))).hasMessageContaining(
                        "lives longer than issuer ci allows (600 s");
        assertThatThrownBy(() -> ci.withMaxTokenLifetime(Duration.ZERO)).hasMessageContaining(
                "must be positive");
    }

    @Test
    void noIssuersMeansNoTokenIsRoutedHere() {
        WorkloadTokens none = new WorkloadTokens(List.of(), issuer -> null, clock);

        assertThat(none.isEmpty()).isTrue();
        assertThat(none.claimedIssuer(ciToken(claims -> claims))).isEmpty();
    }

    @Test
    void twoIssuersWithOneIssValueAreRefused() {
        WorkloadIssuer again = WorkloadIssuer.of("again", ISSUER, null, List.of("x"), null, null,
                "", null, "ci", Map.of(), false);

        assertThatThrownBy(() -> new WorkloadTokens(List.of(ci, again),
                issuer -> new ImmutableJWKSet<>(new JWKSet()), clock))
                .hasMessageContaining("two trusted issuers have the issuer " + ISSUER);
    }

    private static final String NEW_ISSUER = "https://idp-new.example.com";

    private WorkloadIssuer issuerAt(String name, String iss, String agentClaim, String prefix) {
        return WorkloadIssuer.of(name, iss, null, List.of(AUDIENCE), null, agentClaim, prefix,
                null, "ci", Map.of(), false);
    }

    private static String startRefusal(WorkloadIssuer... issuers) {
        try {
            new WorkloadTokens(List.of(issuers), issuer -> new ImmutableJWKSet<>(new JWKSet()),
                    new MutableClock(Instant.EPOCH));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void twoIssuersWithOneAgentPrefixStopTheStartNamingBothAndTheSetting() {
        WorkloadIssuer lessTrusted = issuerAt("partner", NEW_ISSUER, "sub", "ci:");

        assertThat(startRefusal(ci, lessTrusted)).isEqualTo(
                "tollgate.ingress.oidc.issuers.partner.agent-prefix: issuers ci and partner both"
                        + " have the agent prefix 'ci:', so the same subject of either would be"
                        + " one agent, with its grants and limits; choose a different"
                        + " agent-prefix for each (or, while an issuer moves to a new URL, set"
                        + " tollgate.ingress.oidc.issuers.partner.shares-agents-with: ci)");
    }

    @Test
    void aPrefixStartingAnotherIssuersStopsTheStartWhereTheirAgentsCouldMeet() {
        assertThat(startRefusal(ci, issuerAt("partner", NEW_ISSUER, "sub", "ci"))).startsWith(
                "tollgate.ingress.oidc.issuers.partner.agent-prefix: issuer partner's agent"
                        + " prefix 'ci' is the start of issuer ci's 'ci:', so a subject of"
                        + " partner starting with ':' would be an agent of ci");
        assertThat(startRefusal(ci, issuerAt("bare", NEW_ISSUER, "sub", ""))).contains(
                "issuers.bare.agent-prefix", "issuer bare's agent prefix '' is the start of"
                        + " issuer ci's 'ci:'");
        // a SPIFFE ID's path holds no ':', so it can never start with 'ci:'
        WorkloadIssuer spiffe = WorkloadIssuer.of("fleet", null, "example.org",
                "https://spire.example.org/keys", List.of(AUDIENCE), null, null, "", null, "ci",
                Map.of(), false);
        assertThat(startRefusal(ci, spiffe)).isNull();
        assertThat(startRefusal(ci, issuerAt("partner", NEW_ISSUER, "sub", "cix:"))).isNull();
    }

    @Test
    void anIssuerMovingToANewUrlSharesItsAgentsOnlyWhenItSaysWithWhom() throws Exception {
        RSAKey newKey = generateRsa("k2");
        WorkloadIssuer moved = issuerAt("ci-new", NEW_ISSUER, "sub", "ci:").withSharesAgentsWith(
                "ci");
        WorkloadTokens both = new WorkloadTokens(
                List.of(ci, moved), issuer -> new ImmutableJWKSet<>(
                        new JWKSet(
                                issuer == ci.trust() ? key.toPublicJWK() : newKey.toPublicJWK())),
                clock);
        String fromTheNewUrl = sign(newKey, ciClaims().issuer(NEW_ISSUER).build());

        assertThat(both.verify(fromTheNewUrl).agentId()).isEqualTo(both.verify(ciToken(
                claims -> claims)).agentId()).isEqualTo("ci:runner-7");
        assertThat(startRefusal(ci, issuerAt("ci-new", NEW_ISSUER, "sub", "ci:")
                .withSharesAgentsWith("gone"))).isEqualTo(
                        "tollgate.ingress.oidc.issuers.ci-new.shares-agents-with names gone,"
                                + " which is no configured issuer (ci, ci-new)");
        assertThat(startRefusal(ci, issuerAt("ci-new", NEW_ISSUER, "sub", "new:")
                .withSharesAgentsWith("ci"))).contains(
                        "issuers.ci-new.shares-agents-with names ci, whose agent-prefix 'ci:'"
                                + " is not this issuer's 'new:'");
        assertThatThrownBy(() -> moved.withSharesAgentsWith("ci-new")).hasMessageContaining(
                "shares-agents-with names this issuer itself");
        assertThat(startRefusal(ci, moved, issuerAt("third", "https://third.example", "sub",
                "ci:"))).as("sharing with one issuer is not sharing with every other").contains(
                        "issuers ci and third both have the agent prefix 'ci:'");
    }
}
