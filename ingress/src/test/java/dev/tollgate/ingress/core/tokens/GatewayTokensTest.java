package dev.tollgate.ingress.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.testsupport.MutableClock;
import dev.tollgate.tools.ToolCatalogue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayTokensTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.UTF_8);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(
            StandardCharsets.UTF_8);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final GatewayTokens tokens = new GatewayTokens(KEY, clock, ToolCatalogue.standard()
            .names());

    @Test
    void mintedTokenVerifiesToTheSameIdentity() throws Exception {
        GrantNarrowing narrowing = new GrantNarrowing(List.of("get_file"), List.of("octo/hello"));

        GatewayTokens.Minted minted = tokens.mint("agent-7", "ci", Duration.ofHours(1),
                Optional.of(narrowing));
        AgentIdentity identity = tokens.verify(minted.token());

        assertThat(identity).isEqualTo(minted.identity());
        assertThat(identity.agentId()).isEqualTo("agent-7");
        assertThat(identity.environment()).isEqualTo("ci");
        assertThat(identity.expiresAt()).isEqualTo(Instant.parse("2026-11-21T13:00:00Z"));
        assertThat(identity.narrowing()).contains(narrowing);
        assertThat(minted.toString()).doesNotContain(minted.token());
    }

    @Test
    void everyMintHasItsOwnTokenId() {
        String first = tokens.mint("a", "dev", Duration.ofHours(1), Optional.empty()).identity()
                .tokenId();
        String second = tokens.mint("a", "dev", Duration.ofHours(1), Optional.empty())
                .identity().tokenId();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void refusesExpiredTokens() {
        String token = tokens.mint("a", "dev", Duration.ofMinutes(5), Optional.empty()).token();

        clock.advance(Duration.ofMinutes(5));

        assertThatThrownBy(() -> tokens.verify(token)).isInstanceOf(TokenRejectedException.class)
                .hasMessageStartingWith("token expired at");
    }

    @Test
    void refusesTokensSignedWithAnotherKey() {
        GatewayTokens other = new GatewayTokens(OTHER_KEY, clock, List.of());
        String forged = other.mint("a", "dev", Duration.ofHours(1), Optional.empty()).token();

        assertThatThrownBy(() -> tokens.verify(forged))
                .hasMessage("token signature is not valid");
    }

    @Test
    void refusesUnsignedAlgNoneTokens() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"iss\":\"tollgate\",\"aud\":\"tollgate-mcp\",\"sub\":\"a\","
                + "\"env\":\"dev\",\"jti\":\"x\",\"iat\":" + (clock.instant().getEpochSecond())
                + ",\"exp\":" + (clock.instant().getEpochSecond() + 3600) + "}");

        assertThatThrownBy(() -> tokens.verify(header + "." + payload + "."))
                .isInstanceOf(TokenRejectedException.class);
        assertThatThrownBy(() -> tokens.verify(header + "." + payload))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void refusesOtherHmacAlgorithmsEvenWithTheRightKey() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), validClaims().build());
        jwt.sign(new MACSigner("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                .getBytes(StandardCharsets.UTF_8)));

        assertThatThrownBy(() -> tokens.verify(jwt.serialize()))
                .hasMessage("token algorithm HS512 is not accepted");
    }

    @Test
    void refusesTamperedPayload() {
        String token = tokens.mint("a", "dev", Duration.ofHours(1), Optional.empty()).token();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("\"sub\":\"a\"", "\"sub\":\"admin\"");

        assertThatThrownBy(() -> tokens.verify(parts[0] + "." + b64(payload) + "." + parts[2]))
                .hasMessage("token signature is not valid");
    }

    @Test
    void refusesWrongIssuerAudienceAndMissingClaims() throws Exception {
        assertThatThrownBy(() -> tokens.verify(sign(validClaims().issuer("someone"))))
                .hasMessage("token was not issued by this gateway");
        assertThatThrownBy(() -> tokens.verify(sign(validClaims().audience("other"))))
                .hasMessage("token is not meant for the MCP endpoint");
        assertThatThrownBy(() -> tokens.verify(sign(validClaims().jwtID(null))))
                .hasMessage("token lacks exp, iat, jti or sub");
        assertThatThrownBy(() -> tokens.verify(sign(validClaims().claim("env", null))))
                .hasMessage("token lacks env");
    }

    @Test
    void refusesTokensIssuedInTheFuture() throws Exception {
        Instant future = clock.instant().plus(Duration.ofMinutes(10));

        assertThatThrownBy(() -> tokens.verify(sign(validClaims().issueTime(Date.from(future)))))
                .hasMessage("token is not valid yet");
    }

    @Test
    void refusesGarbage() {
        assertThatThrownBy(() -> tokens.verify("not-a-jwt")).hasMessage(
                "not a signed gateway token");
        assertThatThrownBy(() -> tokens.verify("")).hasMessage("no token");
        assertThatThrownBy(() -> tokens.verify("a".repeat(9000))).hasMessage(
                "token is too long");
    }

    @Test
    void refusesShortKeys() {
        assertThatThrownBy(() -> new GatewayTokens(new byte[16], clock, List.of()))
                .hasMessageContaining("at least 32 bytes");
    }

    @Test
    void grantNarrowingIsValidatedAndNormalized() {
        GrantNarrowing narrowing = GrantNarrowing.parse(Map.of("tools", List.of("get_file",
                "read_repo"), "repositories", List.of("Octo/Hello", "octo/*")), ToolCatalogue
                        .standard().names());

        assertThat(narrowing.repositories()).containsExactly("octo/*", "octo/hello");
        assertThat(narrowing.toJson()).isEqualTo(
                "{\"repositories\":[\"octo/*\",\"octo/hello\"],\"tools\":[\"get_file\",\"read_repo\"]}");
        assertThatThrownBy(() -> GrantNarrowing.parse(Map.of("tools", List.of("rm_rf")),
                List.of("get_file"))).hasMessageContaining("unknown tool 'rm_rf'");
        assertThatThrownBy(() -> GrantNarrowing.parse(Map.of("repositories", List.of("x")),
                List.of())).hasMessageContaining("must be owner/repo or owner/*");
        assertThatThrownBy(() -> GrantNarrowing.parse(Map.of("admin", true), List.of()))
                .hasMessageContaining("grants.admin is not supported");
    }

    private JWTClaimsSet.Builder validClaims() {
        Instant now = clock.instant();
        return new JWTClaimsSet.Builder().issuer("tollgate").audience("tollgate-mcp").subject("a")
                .jwtID("id-1").issueTime(Date.from(now)).expirationTime(Date.from(now.plus(
                        Duration.ofHours(1))))
                .claim("env", "dev");
    }

    private static String sign(JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(KEY));
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(
                StandardCharsets.UTF_8));
    }

    @Test
    void aTokenVerifiedOnceIsRememberedByDigestAndGivesTheSameIdentity() throws Exception {
        GatewayTokens.Minted minted = tokens.mint("agent-7", "ci", Duration.ofHours(1),
                Optional.empty());

        AgentIdentity first = tokens.verify(minted.token());
        AgentIdentity again = tokens.verify(minted.token());

        assertThat(again).isEqualTo(first).isEqualTo(minted.identity());
        assertThat(tokens.verifiedCacheSize()).isEqualTo(1);
    }

    @Test
    void aRememberedTokenStillExpiresOnTime() throws Exception {
        GatewayTokens.Minted minted = tokens.mint("agent-7", "ci", Duration.ofMinutes(10),
                Optional.empty());
        tokens.verify(minted.token());

        clock.advance(Duration.ofMinutes(10));

        assertThatThrownBy(() -> tokens.verify(minted.token())).isInstanceOf(
                TokenRejectedException.class).hasMessageContaining("expired");
        assertThat(tokens.verifiedCacheSize()).isZero();
    }

    @Test
    void aTamperedCopyOfARememberedTokenIsStillRefused() throws Exception {
        GatewayTokens.Minted minted = tokens.mint("agent-7", "ci", Duration.ofHours(1),
                Optional.empty());
        tokens.verify(minted.token());
        String token = minted.token();
        // A character well inside the signature: every one of its bits is signature data.
        int at = token.length() - 10;
        char c = token.charAt(at);
        String tampered = token.substring(0, at) + (c == 'A' ? 'B' : 'A') + token.substring(at
                + 1);

        assertThatThrownBy(() -> tokens.verify(tampered)).isInstanceOf(
                TokenRejectedException.class).hasMessageContaining("signature is not valid");
        assertThat(tokens.verifiedCacheSize()).isEqualTo(1);
    }

    @Test
    void anotherSpellingOfAValidTokenIsRefused() throws Exception {
        GatewayTokens.Minted minted = tokens.mint("agent-7", "ci", Duration.ofHours(1),
                Optional.empty());
        String token = minted.token();
        // An HS256 signature is 32 bytes, 43 base64url characters: the last one carries four bits
        // and two unused ones, which decoders ignore. Flipping an unused bit keeps the signature.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        char sameBits = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String respelled = token.substring(0, token.length() - 1) + sameBits;
        assertThat(com.nimbusds.jose.util.Base64URL.from(respelled.substring(respelled
                .lastIndexOf('.') + 1)).decode()).as("the same signature bytes").isEqualTo(
                        com.nimbusds.jose.util.Base64URL.from(token.substring(token.lastIndexOf(
                                '.') + 1)).decode());

        assertThatThrownBy(() -> tokens.verify(respelled)).isInstanceOf(
                TokenRejectedException.class).hasMessageContaining("canonical");
        assertThatThrownBy(() -> tokens.verify(token + "=")).as("padded").isInstanceOf(
                TokenRejectedException.class).hasMessageContaining("canonical");
        assertThat(tokens.verify(token).agentId()).isEqualTo("agent-7");
    }

    @Test
    void refusedTokensAreNotRemembered() {
        GatewayTokens other = new GatewayTokens(OTHER_KEY, clock, ToolCatalogue.standard()
                .names());
        String foreign = other.mint("agent-7", "ci", Duration.ofHours(1), Optional.empty())
                .token();

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(
                    TokenRejectedException.class).hasMessageContaining("signature");
        }
        assertThat(tokens.verifiedCacheSize()).isZero();
    }

    @Test
    void theCacheStaysBounded() throws Exception {
        for (int i = 0; i < GatewayTokens.VERIFIED_CACHE_ENTRIES + 5; i++) {
            tokens.verify(tokens.mint("agent-" + i, "ci", Duration.ofHours(1), Optional.empty())
                    .token());
        }

        assertThat(tokens.verifiedCacheSize()).isBetween(1, GatewayTokens.VERIFIED_CACHE_ENTRIES);
    }
}
