package dev.tollgate.ingress.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.runtime.security.oidc.OidcSettings;
import dev.tollgate.runtime.security.oidc.TrustedIssuer;
import dev.tollgate.testsupport.MutableClock;
import dev.tollgate.tools.ToolCatalogue;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPIFFE JWT-SVIDs as a fleet presents them, most without {@code iss}, and as an attacker would:
 * a SPIFFE ID another parser would fold into the trusted trust domain, a trust domain not trusted,
 * the key of another trust domain or a bundle's X.509 authority, no audience or expiry, the
 * public key as a MAC secret, an {@code iss} the gateway does not know or that names another
 * issuer. The trust domains' bundles are served over real HTTP on loopback and fetched as in
 * production ({@link OidcSettings#keys}); how many fetches each bundle saw is checked, so no key
 * is fetched from anywhere a token names.
 */
class SpiffeWorkloadTokensTest {

    private static final String AUDIENCE = "tollgate";
    private static final String IDP = "https://idp.example.com";
    private static final String SPIRE = "https://oidc.spire.example.net";
    private static final KeyUse JWT_SVID = new KeyUse("jwt-svid");

    private final MutableClock clock = new MutableClock(Instant.now());
    private final ECKey svidKey = ec("td-1", JWT_SVID);
    /** An X.509 authority of the same bundle: never a key for JWT-SVIDs. */
    private final ECKey x509Authority = ec("td-1", new KeyUse("x509-svid"));
    private final ECKey partnerKey = ec("partner-1", JWT_SVID);
    private final ECKey idpKey = ec("idp-1", KeyUse.SIGNATURE);
    private final ECKey spireKey = ec("spire-1", null);

    private final HttpServer server;
    private final String base;
    private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();

    private final WorkloadIssuer fleet;
    private final WorkloadIssuer partner;
    private final WorkloadIssuer idp;
    private final WorkloadIssuer spire;
    private final WorkloadTokens tokens;

    SpiffeWorkloadTokensTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        serve("/example/bundle", "{\"spiffe_sequence\":7,\"spiffe_refresh_hint\":300,\"keys\":["
                + svidKey.toPublicJWK().toJSONString() + "," + x509Authority.toPublicJWK()
                        .toJSONString()
                + "]}");
        serve("/other/bundle", "{\"keys\":[" + partnerKey.toPublicJWK().toJSONString() + "]}");
        serve("/idp/keys", "{\"keys\":[" + idpKey.toPublicJWK().toJSONString() + "]}");
        serve("/spire/keys", "{\"keys\":[" + spireKey.toPublicJWK().toJSONString() + "]}");
        serve("/evil", "{\"keys\":[]}");
        server.start();
        fleet = WorkloadIssuer.of("fleet", null, "example.org", base + "/example/bundle", List.of(
                AUDIENCE), null, null, "spiffe:", null, "ci", Map.of(), false);
        partner = WorkloadIssuer.of("partner", null, "other.org", base + "/other/bundle", List.of(
                AUDIENCE), null, null, "partner:", null, "ci", Map.of(), false);
        idp = WorkloadIssuer.of("idp", IDP, base + "/idp/keys", List.of(AUDIENCE), null, null,
                "idp:", null, "prod", Map.of(), false);
        spire = WorkloadIssuer.of("spire", SPIRE, "spire.example.net", base + "/spire/keys", List
                .of(AUDIENCE), null, null, "", null, "dev", Map.of(), false);
        tokens = new WorkloadTokens(List.of(fleet, partner, idp, spire), new OidcSettings().keys(
                "tollgate.ingress.oidc", clock), clock);
    }

    private void serve(String path, String body) {
        fetches.put(path, new AtomicInteger());
        server.createContext(path, exchange -> {
            fetches.get(path).incrementAndGet();
            answer(exchange, body);
        });
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static ECKey ec(String kid, KeyUse use) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(use).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SVID as SPIRE mints one: sub, aud, exp and iat, no iss. */
    private JWTClaimsSet.Builder svid(String sub) {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().subject(sub).audience(AUDIENCE).issueTime(Date.from(
                now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    private static String sign(ECKey with, JWSHeader header, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new ECDSASigner(with));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(ECKey with, JWTClaimsSet claims) {
        return sign(with, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(with.getKeyID()).type(
                JOSEObjectType.JWT).build(), claims);
    }

    private String fleetToken(String sub, UnaryOperator<JWTClaimsSet.Builder> change) {
        return sign(svidKey, change.apply(svid(sub)).build());
    }

    private String refusal(String token) {
        return WorkloadTokensTest.refusal(tokens, token);
    }

    @Test
    void anSvidWithoutIssIsRoutedByItsTrustDomainAndNamesThePathAsTheAgent() throws Exception {
        String token = fleetToken("spiffe://example.org/ns/ci/sa/agent-7", claims -> claims);

        assertThat(tokens.claimedIssuer(token)).contains(fleet);
        assertThat(tokens.routesHere(token)).isTrue();
        AgentIdentity identity = tokens.verify(token);

        assertThat(identity.agentId()).isEqualTo("spiffe:ns/ci/sa/agent-7");
        assertThat(identity.environment()).isEqualTo("ci");
        assertThat(identity.credential()).isEqualTo("oidc:fleet");
        assertThat(identity.tokenId()).startsWith("oidc:fleet:");
        assertThat(identity.family().issuedAt()).isEqualTo(clock.instant().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS));
        // the bundle was fetched once, from where configuration says; no other
        assertThat(fetches.get("/example/bundle")).hasValue(1);
        assertThat(fetches.get("/other/bundle")).hasValue(0);
        assertThat(fetches.get("/evil")).hasValue(0);
    }

    @Test
    void iatIsOptionalForSvidsAndThenTheirIssueTimeIsTakenAsEarlyAsPossible() throws Exception {
        String withoutIat = fleetToken("spiffe://example.org/agent-8", claims -> claims.issueTime(
                null));
        String typedJose = sign(svidKey, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("td-1")
                .type(JOSEObjectType.JOSE).build(), svid("spiffe://example.org/agent-9").build());

        AgentIdentity identity = tokens.verify(withoutIat);

        assertThat(identity.agentId()).isEqualTo("spiffe:agent-8");
        // taken as issued as early as the issuer's cap allows (an hour when none is set), so an
        // agent's revocation stops it
        assertThat(identity.family().issuedAt()).isEqualTo(clock.instant().plus(Duration
                .ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(
                        TrustedIssuer.SPIFFE_DEFAULT_MAX_TOKEN_LIFETIME));
        // and, with no cap configured, one whose exp is further than that is refused
        assertThat(refusal(fleetToken("spiffe://example.org/agent-8", claims -> claims.issueTime(
                null).expirationTime(Date.from(clock.instant().plus(Duration.ofHours(2)))))))
                .contains("has no iat and expires later than issuer fleet allows (3600 s from"
                        + " now)");
        assertThat(tokens.verify(typedJose).agentId()).isEqualTo("spiffe:agent-9");
        // present, iat is checked as ever
        assertThat(refusal(fleetToken("spiffe://example.org/a", claims -> claims.issueTime(Date
                .from(clock.instant().plusSeconds(120)))))).contains("not valid yet");
    }

    @Test
    void aCappedSvidWithoutIatMustExpireWithinTheCapFromNow() throws Exception {
        WorkloadTokens capped = new WorkloadTokens(List.of(fleet.withMaxTokenLifetime(Duration
                .ofMinutes(10))), new OidcSettings().keys("tollgate.ingress.oidc", clock), clock);
        Instant now = clock.instant();
        String shortLived = fleetToken("spiffe://example.org/a", claims -> claims.issueTime(null)
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))));
        String longLived = fleetToken("spiffe://example.org/a", claims -> claims.issueTime(null)
                .expirationTime(Date.from(now.plus(Duration.ofHours(2)))));
        String longFromIat = fleetToken("spiffe://example.org/a", claims -> claims.issueTime(Date
                .from(now.minus(Duration.ofMinutes(30)))));

        AgentIdentity identity = capped.verify(shortLived);

        assertThat(identity.family().issuedAt()).isEqualTo(now.plus(Duration.ofMinutes(5)).minus(
                Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(WorkloadTokensTest.refusal(capped, longLived)).contains(
                "has no iat and expires later than issuer fleet allows (600 s from now)");
        assertThat(WorkloadTokensTest.refusal(capped, longFromIat)).contains(
                "lives longer than issuer fleet allows (600 s from iat to exp)");
    }

    @Test
    void spiffeIdsAnotherParserWouldFoldIntoTheTrustDomainAreRefusedWithAReason() {
        Map<String, String> refused = Map.ofEntries(
                Map.entry("spiffe://unknown.example/x", "trust domain of the SPIFFE ID in its sub"
                        + " is not trusted"),
                Map.entry("spiffe://example.org.evil.com/x", "is not trusted by this gateway"),
                Map.entry("spiffe://EXAMPLE.org/x", "trust domain with other characters"),
                Map.entry("spiffe://example.org:443/x", "has a port"),
                Map.entry("spiffe://user@example.org/x", "has user info"),
                Map.entry("spiffe://example.org/a/../b", "'.' or '..' path segment"),
                Map.entry("spiffe://example.org/", "has no path"),
                Map.entry("spiffe://example.org", "has no path"),
                Map.entry("spiffe://example.org/x?admin=1", "has a query or fragment"),
                Map.entry("spiffe://example.org/x#admin", "has a query or fragment"),
                Map.entry("https://example.org/x", "does not start with spiffe://"),
                Map.entry("agent-7", "does not start with spiffe://"));

        refused.forEach((sub, reason) -> {
            String token = fleetToken(sub, claims -> claims);

            assertThat(tokens.claimedIssuer(token)).as(sub).isEmpty();
            assertThat(tokens.routesHere(token)).as(sub).isTrue();
            assertThat(refusal(token)).as(sub).startsWith("token has no iss").contains(reason)
                    .doesNotContain("evil").doesNotContain("admin").doesNotContain("unknown");
        });
        assertThat(refusal(fleetToken(null, claims -> claims))).contains("is missing");
        assertThat(fetches.get("/example/bundle")).hasValue(0); // refused before any key
    }

    @Test
    void anSvidWithoutAudienceOrExpiryOrForAnotherAudienceOrExpiredIsRefused() {
        String sub = "spiffe://example.org/agent-7";

        assertThat(refusal(fleetToken(sub, claims -> claims.audience((String) null)))).contains(
                "not issued for this gateway");
        assertThat(refusal(fleetToken(sub, claims -> claims.audience("spiffe://example.org/db"))))
                .contains("not issued for this gateway").doesNotContain("/db");
        assertThat(refusal(fleetToken(sub, claims -> claims.expirationTime(null)))).isEqualTo(
                "token lacks exp");
        assertThat(refusal(fleetToken(sub, claims -> claims.issueTime(null).expirationTime(null))))
                .isEqualTo("token lacks exp");
        assertThat(refusal(fleetToken(sub, claims -> claims.expirationTime(Date.from(clock
                .instant().minusSeconds(1)))))).contains("expired");
    }

    @Test
    void anSvidSignedWithAnotherTrustDomainsKeyOrTheBundlesX509AuthorityIsRefused() {
        String sub = "spiffe://example.org/agent-7";
        String partnersKey = sign(partnerKey, svid(sub).build());
        ECKey partnerUnderOurKid = new ECKey.Builder(partnerKey).keyID("td-1").build();
        String partnersKeyOurKid = sign(partnerUnderOurKid, svid(sub).build());
        String x509 = sign(x509Authority, svid(sub).build());

        assertThat(refusal(partnersKey)).contains("does not verify with any key of issuer fleet");
        assertThat(refusal(partnersKeyOurKid)).contains(
                "does not verify with any key of issuer fleet");
        assertThat(refusal(x509)).contains("does not verify with any key of issuer fleet");
        // and the partner's own SVIDs are its own agents, not the fleet's
        assertThat(refusal(sign(partnerKey, svid("spiffe://other.org/agent-7").build()))).isNull();
    }

    @Test
    void unsignedMacSignedAndSelfKeyedSvidsAreRefused() throws Exception {
        JWTClaimsSet claims = svid("spiffe://example.org/agent-7").build();
        String none = Base64URL.encode("{\"alg\":\"none\"}").toString() + "." + Base64URL.encode(
                claims.toString()) + ".";
        SignedJWT mac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("td-1")
                .build(), claims);
        mac.sign(new MACSigner(svidKey.toPublicJWK().toECPublicKey().getEncoded()));
        ECKey attacker = ec("td-1", JWT_SVID);
        String embedded = sign(attacker, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("td-1")
                .jwk(attacker.toPublicJWK()).build(), claims);
        String pointed = sign(attacker, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("td-1")
                .jwkURL(URI.create(base + "/evil")).x509CertURL(URI.create(base + "/evil"))
                .build(), claims);

        assertThat(refusal(none)).isEqualTo("not a signed JWT");
        assertThat(refusal(mac.serialize())).contains("algorithm HS256 is not accepted");
        assertThat(refusal(embedded)).contains("does not verify");
        assertThat(refusal(pointed)).contains("does not verify");
        assertThat(fetches.get("/evil")).hasValue(0);
    }

    @Test
    void anSvidWithAnIssMustNameAConfiguredIssuerWhoseTrustDomainItIsOf() throws Exception {
        String sub = "spiffe://example.org/agent-7";
        // an iss nobody configured
        assertThat(refusal(fleetToken(sub, claims -> claims.issuer("https://spire.evil.com"))))
                .isEqualTo("token issuer is not trusted by this gateway");
        // the OIDC issuer's iss on an SVID signed by the trust domain: checked with idp's keys
        assertThat(refusal(fleetToken(sub, claims -> claims.issuer(IDP)))).contains(
                "does not verify with any key of issuer idp");
        // the SPIFFE issuer with an iss: its token's sub must be of its trust domain
        assertThat(refusal(sign(spireKey, svid(sub).issuer(SPIRE).build()))).contains(
                "sub is a SPIFFE ID of another trust domain than issuer spire's");
        assertThat(refusal(sign(spireKey, svid("spire.example.net/x").issuer(SPIRE).build())))
                .contains("sub is not a SPIFFE ID of issuer spire's trust domain: it does not"
                        + " start with spiffe://");
        assertThat(refusal(sign(spireKey, svid("spiffe://spire.example.net/a/../b").issuer(SPIRE)
                .build()))).contains("'.' or '..' path segment");

        AgentIdentity withIss = tokens.verify(sign(spireKey, svid("spiffe://spire.example.net/web")
                .issuer(SPIRE).build()));
        AgentIdentity withoutIss = tokens.verify(sign(spireKey, svid(
                "spiffe://spire.example.net/web").build()));

        assertThat(withIss.agentId()).isEqualTo("web");
        assertThat(withoutIss.agentId()).isEqualTo("web");
        assertThat(withIss.credential()).isEqualTo("oidc:spire");
    }

    @Test
    void aPathThatIsNoAgentIdIsRefusedNotRewritten() {
        assertThat(refusal(sign(spireKey, svid("spiffe://spire.example.net/-rm/x").build())))
                .contains("the path of the token's SPIFFE ID does not name a usable agent");
        assertThat(refusal(sign(spireKey, svid("spiffe://spire.example.net/.x").build())))
                .contains("does not name a usable agent");
        assertThat(refusal(fleetToken("spiffe://example.org/" + "a".repeat(122), claims -> claims)))
                .contains("does not name a usable agent"); // with "spiffe:", 129 characters
        assertThat(refusal(fleetToken("spiffe://example.org/" + "a".repeat(121), claims -> claims)))
                .isNull();
    }

    @Test
    void anExplicitAgentClaimOfASpiffeIssuerIsReadAsForAnyIssuer() throws Exception {
        WorkloadIssuer whole = WorkloadIssuer.of("whole", null, "example.org", base
                + "/example/bundle", List.of(AUDIENCE), null, "sub", "", null, "ci", Map.of(),
                false);
        WorkloadTokens wholeIds = new WorkloadTokens(List.of(whole), new OidcSettings().keys(
                "tollgate.ingress.oidc", clock), clock);

        assertThat(whole.agentClaim()).contains("sub");
        assertThat(fleet.agentClaim()).isEmpty();
        assertThat(wholeIds.verify(fleetToken("spiffe://example.org/ns/ci", claims -> claims))
                .agentId()).isEqualTo("spiffe://example.org/ns/ci");
    }

    @Test
    void gatewayTokensAndTokensWithoutIssAreRoutedAsBefore() {
        GatewayTokens gateway = new GatewayTokens("0123456789abcdef0123456789abcdef-spiffe"
                .getBytes(StandardCharsets.UTF_8), clock, ToolCatalogue.standard().names());
        String minted = gateway.mint("a", "dev", Duration.ofHours(1), Optional.empty(), Duration
                .ofDays(1)).token();
        WorkloadTokens noSpiffe = new WorkloadTokens(List.of(idp), new OidcSettings().keys(
                "tollgate.ingress.oidc", clock), clock);
        String withoutIss = fleetToken("spiffe://example.org/agent-7", claims -> claims);

        assertThat(tokens.routesHere(minted)).isFalse();
        assertThat(tokens.routesHere("not.a.jwt")).isFalse();
        assertThat(noSpiffe.routesHere(withoutIss)).isFalse();
        assertThat(WorkloadTokensTest.refusal(noSpiffe, withoutIss)).isEqualTo(
                "token issuer is not trusted by this gateway (it has no iss)");
    }

    @Test
    void twoIssuersOfOneTrustDomainOrABadTrustDomainStopTheStart() {
        WorkloadIssuer again = WorkloadIssuer.of("again", null, "example.org", base + "/other"
                + "/bundle", List.of(AUDIENCE), null, null, "again:", null, "ci", Map.of(), false);

        assertThatThrownBy(() -> new WorkloadTokens(List.of(fleet, again), issuer -> null, clock))
                .hasMessageStartingWith("tollgate.ingress.oidc.issuers.again.spiffe-trust-domain:"
                        + " issuer fleet has the trust domain example.org already");
        for (String bad : List.of("Example.org", "spiffe://example.org", "example.org:8443",
                "example.org/ns")) {
            assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, bad, base + "/b", List.of(
                    AUDIENCE), null, null, "", null, "ci", Map.of(), false)).as(bad)
                    .hasMessageStartingWith("tollgate.ingress.oidc.issuers.fleet"
                            + ".spiffe-trust-domain must be a trust domain name alone");
        }
    }

    @Test
    void aSpiffeIssuerNeedsItsBundleAndNoIssuerButNothingElseLess() {
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, "example.org", null, List.of(
                AUDIENCE), null, null, "", null, "ci", Map.of(), false)).hasMessageStartingWith(
                        "tollgate.ingress.oidc.issuers.fleet.jwks-uri is required with"
                                + " spiffe-trust-domain");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", SPIRE, "example.org", null, List.of(
                AUDIENCE), null, null, "", null, "ci", Map.of(), false)).hasMessageContaining(
                        "jwks-uri is required");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, "example.org",
                "http://bundle.example.org/keys", List.of(AUDIENCE), null, null, "", null, "ci",
                Map.of(), false)).hasMessageContaining("jwks-uri must use https");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, "example.org", base + "/b",
                List.of(), null, null, "", null, "ci", Map.of(), false)).hasMessageContaining(
                        "audiences is required");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, "example.org", base + "/b",
                List.of(AUDIENCE), null, null, null, null, "ci", Map.of(), false))
                .hasMessageContaining("agent-prefix is required");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, "example.org", base + "/b",
                List.of(AUDIENCE), null, null, "", null, "ci", Map.of(), true))
                .hasMessageContaining("authorization-server needs issuer");
        assertThatThrownBy(() -> WorkloadIssuer.of("fleet", null, null, base + "/b", List.of(
                AUDIENCE), null, null, "", null, "ci", Map.of(), false)).hasMessageContaining(
                        "fleet.issuer is required");
    }
}
