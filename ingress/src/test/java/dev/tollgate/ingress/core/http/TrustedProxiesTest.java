package dev.tollgate.ingress.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    @Test
    void nobodyIsTrustedUnlessListed() {
        assertThat(TrustedProxies.of(List.of()).isEmpty()).isTrue();
        assertThat(TrustedProxies.of(null).isEmpty()).isTrue();
        assertThat(TrustedProxies.of(Arrays.asList(" ", null)).isEmpty()).isTrue();
    }

    @Test
    void addressesAreWrittenAsTheContainerPrintsPeers() {
        TrustedProxies proxies = TrustedProxies.of(List.of(" 10.0.0.7 ", "::1", "fd00::7",
                "10.0.0.7"));

        assertThat(proxies.addresses()).containsExactly("10.0.0.7", "0:0:0:0:0:0:0:1",
                "fd00:0:0:0:0:0:0:7");
    }

    @Test
    void theRegexMatchesExactlyTheListedAddresses() {
        Pattern regex = Pattern.compile(TrustedProxies.of(List.of("10.0.0.7", "172.30.0.10"))
                .regex());

        assertThat(regex.matcher("10.0.0.7").matches()).isTrue();
        assertThat(regex.matcher("172.30.0.10").matches()).isTrue();
        assertThat(regex.matcher("10.0.0.70").matches()).as("no prefix match").isFalse();
        assertThat(regex.matcher("10.0.0.17").matches()).isFalse();
        assertThat(regex.matcher("10a0b0c7").matches()).as("dots are dots").isFalse();
        assertThat(regex.matcher("172.30.0.1").matches()).isFalse();
    }

    @Test
    void namesRangesAndNonsenseAreRefusedNamingTheEntry() {
        for (String entry : List.of("proxy.internal", "localhost", "10.0.0.0/8", "10.0.0.256",
                "10.0.0", "1.2.3.4.5", "*", "10.0.0.1,10.0.0.2", "fd00::7::8", "::g")) {
            assertThatThrownBy(() -> TrustedProxies.of(List.of(entry))).as(entry).isInstanceOf(
                    IllegalArgumentException.class).hasMessageContaining(
                            "tollgate.ingress.trusted-proxies");
        }
        assertThatThrownBy(() -> TrustedProxies.of(List.of("evil\u0000name"))).hasMessageContaining(
                "evil?name");
    }
}
