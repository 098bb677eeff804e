package dev.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ingress.core.oidc.WorkloadIssuer;
import dev.tollgate.ingress.core.oidc.WorkloadTokens;
import dev.tollgate.testsupport.MutableClock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Workload issuers as an operator writes them under {@code tollgate.ingress.oidc.issuers}: bound
 * as the ingress binds them and built as its start builds them.
 */
class WorkloadIssuerSettingsTest {

    private static WorkloadTokens start(Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        for (String name : new String[]{"old", "new"}) {
            String at = "tollgate.ingress.oidc.issuers." + name + ".";
            all.put(at + "issuer", "https://" + name + ".idp.example");
            all.put(at + "jwks-uri", "https://" + name + ".idp.example/keys");
            all.put(at + "audiences[0]", "https://tollgate.example/mcp");
            all.put(at + "agent-prefix", "idp:");
            all.put(at + "environment", "prod");
        }
        all.putAll(settings);
        IngressProperties properties = new Binder(new MapConfigurationPropertySource(all)).bind(
                "tollgate.ingress", IngressProperties.class).get();
        return new IngressConfiguration().workloadTokens(properties, new MutableClock(Instant
                .parse("2026-12-07T12:00:00Z")));
    }

    @Test
    void twoIssuersWithOneAgentPrefixStopTheStartNamingBothAndTheSetting() {
        assertThatThrownBy(() -> start(Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tollgate.ingress.oidc.issuers.new.agent-prefix: issuers"
                        + " old and new both have the agent prefix 'idp:'")
                .hasMessageContaining("tollgate.ingress.oidc.issuers.new.shares-agents-with: old");
    }

    @Test
    void anIssuerMovingToANewUrlNamesTheOneWhoseAgentsItGives() {
        WorkloadTokens tokens = start(Map.of(
                "tollgate.ingress.oidc.issuers.new.shares-agents-with", "old"));

        assertThat(tokens.issuers()).extracting(WorkloadIssuer::name,
                WorkloadIssuer::sharesAgentsWith).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("old", java.util.Optional.empty()),
                        org.assertj.core.groups.Tuple.tuple("new", java.util.Optional.of(
                                "old")));
    }
}
