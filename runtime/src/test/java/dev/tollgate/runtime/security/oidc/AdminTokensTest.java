package dev.tollgate.runtime.security.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Admins' tokens: who the admin is, which roles it holds, and what is never an admin. */
class AdminTokensTest {

    private static final String ISSUER = "https://login.example.com";
    private static final String AUDIENCE = "https://tollgate.example.com/admin";
    private static final String SETTINGS = "tollgate.test.oidc.admin-issuers";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private final RSAKey key;
    private final AdminIssuer people = AdminIssuer.of(SETTINGS, "people", ISSUER, null,
            List.of(AUDIENCE),
            "email", "/realm_access/roles", Map.of());
    private final AdminTokens admins;

    AdminTokensTest() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("a1").generate();
        admins = new AdminTokens(SETTINGS, List.of(people), List.of(),
                issuer -> new ImmutableJWKSet<>(
                        new JWKSet(key.toPublicJWK())),
                clock);
    }

    private String token(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE)
                .subject("u-1").claim("email", "ada@example.com").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))).claim("realm_access",
                        Map.of("roles", List.of("tollgate:mint", "tollgate:revoke", "offline")));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("a1")
                .build(), change.apply(claims).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void anAdminIsNamedByItsIssuerAndSubjectAndHoldsTheRolesItsTokenNames() throws Exception {
        String token = token(claims -> claims);
        assertThat(admins.claims(token)).isTrue();

        AdminPrincipal admin = admins.verify(token);

        assertThat(admin.actor()).isEqualTo("oidc:people:ada@example.com");
        assertThat(admin.roles()).containsExactlyInAnyOrder(AdminRole.MINT, AdminRole.REVOKE);
        assertThat(admin.may(AdminRole.SYNC)).isFalse();
        assertThat(admin.breakGlass()).isFalse();
    }

    @Test
    void rolesMayBeOneSpaceSeparatedStringAndUnknownOrMisplacedOnesGiveNothing()
            throws Exception {
        AdminIssuer scoped = AdminIssuer.of(SETTINGS, "svc", ISSUER, null, List.of(AUDIENCE), null,
                "scope",
                Map.of());
        AdminTokens services = new AdminTokens(SETTINGS, List.of(scoped), List.of(),
                issuer -> new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())), clock);

        assertThat(services.verify(token(claims -> claims.claim("scope",
                "openid tollgate:sync tollgate:read"))).roles()).containsExactlyInAnyOrder(
                        AdminRole.SYNC, AdminRole.READ);
        assertThat(services.verify(token(claims -> claims.claim("scope", "TOLLGATE:MINT admin")))
                .roles()).isEmpty();
        assertThat(admins.verify(token(claims -> claims.claim("realm_access", Map.of("roles",
                "tollgate:mint")))).roles()).as("a string where the issuer puts an array")
                .containsExactly(AdminRole.MINT);
        assertThat(admins.verify(token(claims -> claims.claim("realm_access", List.of(
                "tollgate:mint")))).roles()).isEmpty();
    }

    @Test
    void aSubjectThatWouldForgeTheRecordIsRefused() throws Exception {
        assertThatThrownBy(() -> admins.verify(token(claims -> claims.claim("email",
                "ada@example.com\nactor: root")))).isInstanceOf(JwtRejectedException.class)
                .hasMessageContaining("claim email does not name a usable admin");
        assertThatThrownBy(() -> admins.verify(token(claims -> claims.claim("email", null))))
                .isInstanceOf(JwtRejectedException.class);
    }

    @Test
    void anAdminTokenOfAnotherAudienceOrIssuerIsNoAdmins() throws Exception {
        assertThatThrownBy(() -> admins.verify(token(claims -> claims.audience(
                "https://tollgate.example.com/mcp")))).hasMessageContaining(
                        "not issued for this gateway");
        String foreign = token(claims -> claims.issuer("https://other.example.com"));
        assertThat(admins.claims(foreign)).isFalse();
    }

    @Test
    void anAgentIssuerSharingAnAdminIssuersAudienceStopsTheStart() {
        TrustedIssuer agents = TrustedIssuer.of("tollgate.test.oidc.issuers", "agents", ISSUER,
                null, List.of(AUDIENCE), null, null, Map.of());
        TrustedIssuer elsewhere = TrustedIssuer.of("tollgate.test.oidc.issuers", "agents",
                "https://k8s.example", null, List.of(AUDIENCE), null, null, Map.of());

        assertThatThrownBy(() -> new AdminTokens(SETTINGS, List.of(people), List.of(agents),
                issuer -> new ImmutableJWKSet<>(new JWKSet()), clock)).hasMessageContaining(
                        "overlap those of agents' issuer agents");
        assertThat(new AdminTokens(SETTINGS, List.of(people), List.of(elsewhere),
                issuer -> new ImmutableJWKSet<>(new JWKSet()), clock).isEmpty()).isFalse();
    }

    @Test
    void theSharedKeyMayDoEverythingAndIsMarkedBreakGlassOnceAdminsHaveIdentities() {
        assertThat(AdminPrincipal.adminKey(false).actor()).isEqualTo("admin-key");
        assertThat(AdminPrincipal.adminKey(true).actor()).isEqualTo("admin-key (break-glass)");
        assertThat(AdminPrincipal.adminKey(true).roles()).containsExactlyInAnyOrder(AdminRole
                .values());
    }

    @Test
    void anAdminIssuerNeedsItsOwnAudience() {
        assertThatThrownBy(
                () -> AdminIssuer.of(SETTINGS, "people", ISSUER, null, List.of(), null, null,
                        Map.of()))
                .hasMessageContaining("audiences is required");
    }
}
