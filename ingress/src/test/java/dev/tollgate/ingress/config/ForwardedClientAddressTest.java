package dev.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class ForwardedClientAddressTest {

    @Test
    void springBootsOwnForwardedHeaderSupportStopsTheIngressNamingTheSetting() {
        for (String strategy : List.of("native", "FRAMEWORK")) {
            MockEnvironment environment = new MockEnvironment().withProperty(
                    "server.forward-headers-strategy", strategy);

            assertThatThrownBy(() -> new IngressConfiguration().forwardedClientAddress(
                    new IngressProperties(), environment)).as(strategy).isInstanceOf(
                            IllegalStateException.class)
                    .hasMessageContaining(
                            "tollgate.ingress.trusted-proxies");
        }
    }

    @Test
    void aTrustedProxyThatIsNotAnAddressStopsTheIngress() {
        IngressProperties properties = new IngressProperties();
        properties.setTrustedProxies(List.of("nginx"));

        assertThatThrownBy(() -> new IngressConfiguration().forwardedClientAddress(properties,
                new MockEnvironment())).hasMessageContaining("'nginx' is not an IP address");
        properties.setTrustedProxies(List.of("10.0.0.7"));
        assertThatCode(() -> new IngressConfiguration().forwardedClientAddress(properties,
                new MockEnvironment().withProperty("server.forward-headers-strategy", "none")))
                .doesNotThrowAnyException();
    }
}
