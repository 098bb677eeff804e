package dev.tollgate.runtime.security.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.testsupport.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An issuer's keys over real HTTP on loopback: found by OIDC discovery, a rotated key picked up on
 * its first use, a flood of made-up key IDs costing the issuer one fetch per interval, and a
 * discovery document that names another issuer or sends keys in the clear refused.
 */
class IssuerKeysTest {

    private static final String AUDIENCE = "tollgate-test";
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.now());
    private final HttpServer server;
    private final String base;
    private final AtomicReference<String> keys = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicReference<String> discovery = new AtomicReference<>();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private final AtomicInteger discoveryFetches = new AtomicInteger();

    IssuerKeysTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        discovery.set("{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/keys\"}");
        server.createContext("/keys", exchange -> {
            keyFetches.incrementAndGet();
            answer(exchange, 200, keys.get());
        });
        server.createContext("/.well-known/openid-configuration", exchange -> {
            discoveryFetches.incrementAndGet();
            String document = discovery.get();
            answer(exchange, document == null ? 503 : 200, document == null ? "down" : document);
        });
        server.start();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status,
            String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private TrustedJwts tokens() {
        TrustedIssuer issuer = TrustedIssuer.of("tollgate.test.oidc.issuers", "idp", base, null,
                List.of(AUDIENCE), null, null, Map.of());
        return new TrustedJwts(List.of(issuer), rules -> new IssuerKeys(rules, Duration
                .ofSeconds(5), Duration.ofMinutes(15), INTERVAL, clock), clock);
    }

    /** Why {@code tokens} refuse {@code token}; null when they accept it. */
    private static String refusal(TrustedJwts tokens, String token) {
        try {
            tokens.verify(token);
            return null;
        } catch (JwtRejectedException e) {
            return e.getMessage();
        }
    }

    private static String subject(TrustedJwts tokens, String token) throws Exception {
        return tokens.verify(token).claims().getSubject();
    }

    private static RSAKey key(String kid) throws Exception {
        return new RSAKeyGenerator(2048).keyID(kid).generate();
    }

    private String token(RSAKey with, String subject) throws Exception {
        Instant now = clock.instant();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with
                .getKeyID()).build(), new JWTClaimsSet.Builder().issuer(base).audience(AUDIENCE)
                        .subject(subject).issueTime(Date.from(now)).expirationTime(Date.from(now
                                .plus(Duration.ofMinutes(5))))
                        .build());
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    @Test
    void keysAreFoundByDiscoveryAndARotatedKeyIsPickedUpOnItsFirstUse() throws Exception {
        RSAKey first = key("first");
        keys.set(new JWKSet(first.toPublicJWK()).toString());
        TrustedJwts tokens = tokens();

        assertThat(subject(tokens, token(first, "a"))).isEqualTo("a");
        assertThat(discoveryFetches).hasValue(1);
        assertThat(keyFetches).hasValue(1);

        RSAKey second = key("second");
        keys.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());

        assertThat(subject(tokens, token(second, "b"))).isEqualTo("b");
        assertThat(subject(tokens, token(first, "c"))).isEqualTo("c");
        assertThat(discoveryFetches).as("discovery is read once").hasValue(1);
        assertThat(keyFetches).as("one more fetch, for the unknown key ID").hasValue(2);
    }

    @Test
    void aFloodOfMadeUpKeyIdsCostsTheIssuerAtMostOneFetchPerInterval() throws Exception {
        RSAKey real = key("real");
        keys.set(new JWKSet(real.toPublicJWK()).toString());
        TrustedJwts tokens = tokens();
        tokens.verify(token(real, "a"));
        int before = keyFetches.get();

        RSAKey attacker = key("attacker"); // one key: generating 50 would make the loop slow
        for (int i = 0; i < 50; i++) {
            RSAKey madeUp = new RSAKey.Builder(attacker).keyID("made-up-" + i).build();
            assertThat(refusal(tokens, token(madeUp, "x" + i))).isNotNull();
        }

        assertThat(keyFetches.get() - before).as("fetches for 50 unknown key IDs")
                .isLessThanOrEqualTo(2);
        assertThat(subject(tokens, token(real, "b"))).isEqualTo("b");
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsNotBelieved() throws Exception {
        RSAKey real = key("real");
        keys.set(new JWKSet(real.toPublicJWK()).toString());
        discovery.set("{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"" + base + "/keys\"}");

        assertThat(refusal(tokens(), token(real, "a"))).contains(
                "signing keys of issuer idp cannot be fetched");
        assertThat(keyFetches).hasValue(0);
    }

    @Test
    void keysInTheClearFromAnotherHostAreNotFetched() throws Exception {
        RSAKey real = key("real");
        discovery.set("{\"issuer\":\"" + base + "\",\"jwks_uri\":\"http://keys.example/jwks\"}");

        assertThat(refusal(tokens(), token(real, "a")))
                .contains("cannot be fetched");
    }

    @Test
    void aFailedDiscoveryIsRetriedAfterTheIntervalNotOnEveryToken() throws Exception {
        RSAKey real = key("real");
        keys.set(new JWKSet(real.toPublicJWK()).toString());
        String document = discovery.getAndSet(null);
        TrustedJwts tokens = tokens();

        for (int i = 0; i < 10; i++) {
            assertThat(refusal(tokens, token(real, "a" + i)))
                    .contains("cannot be fetched now");
        }
        assertThat(discoveryFetches).hasValue(1);

        discovery.set(document);
        clock.advance(INTERVAL.plusSeconds(1));

        assertThat(subject(tokens, token(real, "b"))).isEqualTo("b");
        assertThat(discoveryFetches).hasValue(2);
    }
}
