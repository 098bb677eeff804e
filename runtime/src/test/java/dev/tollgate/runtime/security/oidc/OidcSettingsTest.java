package dev.tollgate.runtime.security.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A role's admin issuers as configured under its own prefix: each checked, and every refusal names
 * the setting at fault under that prefix.
 */
class OidcSettingsTest {

    private static final String PREFIX = "tollgate.executor.oidc";

    private static AdminIssuerSettings people() {
        AdminIssuerSettings people = new AdminIssuerSettings();
        people.setIssuer("https://login.example.com");
        people.setAudiences(List.of("https://executor.example.com/admin"));
        people.setRolesClaim("/realm_access/roles");
        people.setMaxTokenLifetime(Duration.ofMinutes(10));
        return people;
    }

    private static OidcSettings with(AdminIssuerSettings issuer) {
        OidcSettings settings = new OidcSettings();
        settings.getAdminIssuers().put("people", issuer);
        return settings;
    }

    @Test
    void configuredIssuersAreCheckedAndKeptInOrder() {
        OidcSettings settings = with(people());
        AdminIssuerSettings services = people();
        services.setIssuer("https://services.example.com");
        settings.getAdminIssuers().put("services", services);

        AdminTokens admins = AdminTokens.configured(PREFIX, settings, List.of(), Clock
                .systemUTC());

        assertThat(admins.isEmpty()).isFalse();
        assertThat(admins.issuers()).extracting(AdminIssuer::name).containsExactly("people",
                "services");
        assertThat(admins.issuers().get(0).rolesClaim()).isEqualTo("/realm_access/roles");
        assertThat(admins.issuers().get(0).subjectClaim()).isEqualTo("sub");
        assertThat(admins.issuers().get(0).trust().maxTokenLifetime()).hasValue(Duration
                .ofMinutes(10));
    }

    @Test
    void noIssuerMeansNoAdminTokens() {
        assertThat(AdminTokens.configured(PREFIX, new OidcSettings(), List.of(), Clock
                .systemUTC()).isEmpty()).isTrue();
    }

    @Test
    void aBadIssuerIsRefusedNamingTheSettingUnderTheRolesPrefix() {
        AdminIssuerSettings clear = people();
        clear.setIssuer("http://login.example.com");
        AdminIssuerSettings noAudience = people();
        noAudience.setAudiences(List.of());
        AdminIssuerSettings badRoles = people();
        badRoles.setRolesClaim("roles claim");
        AdminIssuerSettings gateway = people();
        gateway.setAudiences(List.of(TrustedIssuer.GATEWAY_AUDIENCE));

        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, with(clear), List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX + ".admin-issuers.people.issuer must"
                        + " use https");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, with(noAudience), List.of(),
                Clock.systemUTC())).hasMessageContaining(PREFIX
                        + ".admin-issuers.people.audiences is required: a token issued for"
                        + " another service");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, with(badRoles), List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX
                        + ".admin-issuers.people.roles-claim must be a claim name");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, with(gateway), List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX
                        + ".admin-issuers.people.audiences must not contain 'tollgate-mcp'");
    }

    @Test
    void fetchSettingsThatWouldWaitForeverOrFetchForEveryTokenAreRefused() {
        OidcSettings forever = with(people());
        forever.setFetchTimeout(Duration.ZERO);
        OidcSettings slow = with(people());
        slow.setFetchTimeout(Duration.ofMinutes(5));
        OidcSettings uncached = with(people());
        uncached.setKeysCacheFor(Duration.ZERO);
        OidcSettings unlimited = with(people());
        unlimited.setKeysMinRefreshInterval(Duration.ofSeconds(-1));

        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, forever, List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX + ".fetch-timeout must be at least"
                        + " 1ms");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, slow, List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX + ".fetch-timeout must be at most"
                        + " 60s");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, uncached, List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX + ".keys-cache-for");
        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, unlimited, List.of(), Clock
                .systemUTC())).hasMessageContaining(PREFIX + ".keys-min-refresh-interval");
    }

    @Test
    void anAgentsIssuerSharingAnAdminAudienceIsNamedUnderTheRolesPrefix() {
        TrustedIssuer agents = TrustedIssuer.of("tollgate.ingress.oidc.issuers", "agents",
                "https://login.example.com", null, List.of("https://executor.example.com/admin"),
                null, null, Map.of());

        assertThatThrownBy(() -> AdminTokens.configured(PREFIX, with(people()), List.of(agents),
                Clock.systemUTC())).hasMessageContaining(PREFIX
                        + ".admin-issuers.people.audiences overlap those of agents' issuer"
                        + " agents");
    }
}
