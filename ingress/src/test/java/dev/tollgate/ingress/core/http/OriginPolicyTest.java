package dev.tollgate.ingress.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginPolicyTest {

    private final OriginPolicy policy = new OriginPolicy(List.of("gateway.internal"), List.of(
            "https://console.example/"));

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080",
            "LOCALHOST", "gateway.internal:443"})
    void acceptsLoopbackAndConfiguredHostsWithoutOrigin(String host) {
        assertThat(policy.refusal(host, null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "127.0.0.1.nip.io",
            "localhost.evil.example", "10.0.0.1"})
    void refusesOtherHostsAsInDnsRebinding(String host) {
        assertThat(policy.refusal(host, null)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("is not served here"));
    }

    @Test
    void refusesAMissingHost() {
        assertThat(policy.refusal(null, null)).contains("missing Host header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:6274", "http://127.0.0.1", "https://[::1]:3000",
            "https://console.example", "HTTPS://CONSOLE.EXAMPLE"})
    void acceptsLoopbackAndConfiguredOrigins(String origin) {
        assertThat(policy.refusal("localhost:8080", origin)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://evil.example", "null", "file://", "http://localhost.evil",
            "https://console.example.evil", "ftp://localhost", "not a url"})
    void refusesOtherOrigins(String origin) {
        assertThat(policy.refusal("localhost:8080", origin)).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("Origin '"));
    }
}
