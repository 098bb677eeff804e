package dev.tollgate.runtime.security.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPIFFE IDs read strictly: every spelling a lenient URI parser would fold into a configured trust
 * domain or path is refused, and the refusal never repeats the value.
 */
class SpiffeIdTest {

    @Test
    void aWorkloadsIdIsSplitIntoTrustDomainAndPath() {
        SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/ci/sa/agent-7");

        assertThat(id.trustDomain()).isEqualTo("example.org");
        assertThat(id.path()).isEqualTo("ns/ci/sa/agent-7");
        assertThat(id).hasToString("spiffe://example.org/ns/ci/sa/agent-7");
        assertThat(SpiffeId.parse("spiffe://a_b-c.9/Dot.ted/x_Y-z").path()).isEqualTo(
                "Dot.ted/x_Y-z");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("spiffe://EXAMPLE.org/x", "trust domain with other characters"),
                Arguments.of("spiffe://example.org:443/x", "has a port"),
                Arguments.of("spiffe://example.org:/x", "has a port"),
                Arguments.of("spiffe://user@example.org/x", "has user info"),
                Arguments.of("spiffe://example.org/a/../b", "'.' or '..' path segment"),
                Arguments.of("spiffe://example.org/a/./b", "'.' or '..' path segment"),
                Arguments.of("spiffe://example.org/..", "'.' or '..' path segment"),
                Arguments.of("spiffe://example.org/", "has no path"),
                Arguments.of("spiffe://example.org", "has no path"),
                Arguments.of("spiffe://example.org/a//b", "empty path segment"),
                Arguments.of("spiffe://example.org/a/", "empty path segment"),
                Arguments.of("spiffe://example.org/x?y=1", "query or fragment"),
                Arguments.of("spiffe://example.org/x#frag", "query or fragment"),
                Arguments.of("spiffe://example.org?/x", "query or fragment"),
                Arguments.of("spiffe://example.org/a%2Fb", "path segment with other characters"),
                Arguments.of("spiffe://example.org/a b", "path segment with other characters"),
                Arguments.of("spiffe://example.org/a\\b", "path segment with other characters"),
                Arguments.of("spiffe:///x", "has no trust domain"),
                Arguments.of("spiffe://exa%6dple.org/x", "trust domain with other characters"),
                Arguments.of("spiffe://[::1]/x", "has a port"),
                Arguments.of("SPIFFE://example.org/x", "does not start with spiffe://"),
                Arguments.of("spiffe:example.org/x", "does not start with spiffe://"),
                Arguments.of("https://example.org/x", "does not start with spiffe://"),
                Arguments.of(" spiffe://example.org/x", "does not start with spiffe://"),
                Arguments.of("spiffe://example.org/x\n", "path segment with other characters"),
                Arguments.of("spiffe://ex\u00e4mple.org/x", "trust domain with other characters"),
                Arguments.of("spiffe://example.org/\u0430gent", "path segment with other"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void anythingElseIsRefusedNotNormalized(String id, String reason) {
        assertThatThrownBy(() -> SpiffeId.parse(id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason).message().doesNotContain("example.org")
                .doesNotContain("mple.org");
    }

    @Test
    void emptyAndOverlongIdsAreRefused() {
        assertThatThrownBy(() -> SpiffeId.parse(null)).hasMessage("is missing");
        assertThatThrownBy(() -> SpiffeId.parse("")).hasMessage("is missing");
        String longest = "spiffe://example.org/" + "a".repeat(SpiffeId.MAX_LENGTH - 21);
        assertThat(SpiffeId.parse(longest).path()).hasSize(SpiffeId.MAX_LENGTH - 21);
        assertThatThrownBy(() -> SpiffeId.parse(longest + "a")).hasMessageContaining(
                "longer than 2048");
        String domain = "d".repeat(SpiffeId.MAX_TRUST_DOMAIN_LENGTH);
        assertThat(SpiffeId.parse("spiffe://" + domain + "/x").trustDomain()).isEqualTo(domain);
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://" + domain + "d/x"))
                .hasMessageContaining("trust domain longer than 255");
    }

    @Test
    void aConfiguredTrustDomainIsANameAlone() {
        assertThat(SpiffeId.checkTrustDomain("s", "prod.example.org")).isEqualTo(
                "prod.example.org");
        for (String bad : new String[]{"Example.org", "spiffe://example.org", "example.org/",
                "example.org:443", "a@example.org", "", "x".repeat(256)}) {
            assertThatThrownBy(() -> SpiffeId.checkTrustDomain("tollgate.x.spiffe-trust-domain",
                    bad)).as(bad).hasMessageStartingWith(
                            "tollgate.x.spiffe-trust-domain must be a trust domain name alone");
        }
    }
}
