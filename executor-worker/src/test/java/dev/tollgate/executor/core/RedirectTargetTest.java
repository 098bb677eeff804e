package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RedirectTargetTest {

    private static final URI GITHUB = URI.create("https://api.github.com");
    private static final URI LOGS = URI.create(
            "https://api.github.com/repos/o/r/actions/jobs/1/logs");
    private static final URI STAND_IN = URI.create("http://127.0.0.1:4242");

    @Test
    void githubsSignedLogUrlOnAnotherHttpsHostIsFollowed() {
        URI target = RedirectTarget.of(GITHUB, LOGS, 302,
                "https://productionresultssa1.blob.core.windows.net/actions-results/x?sig=abc");

        assertThat(target.getHost()).isEqualTo("productionresultssa1.blob.core.windows.net");
    }

    @Test
    void theApisOwnHostIsFollowedOnItsOwnSchemeEvenOnLoopback() {
        URI target = RedirectTarget.of(STAND_IN, STAND_IN.resolve("/repos/o/r/logs"), 302,
                "/_signed/job-logs/1?sig=s");

        assertThat(target).isEqualTo(URI.create("http://127.0.0.1:4242/_signed/job-logs/1?sig=s"));
    }

    @Test
    void localAddressesPlainHttpUserInfoAndMissingLocationsAreRefused() {
        for (String location : new String[]{"http://169.254.169.254/latest/meta-data/",
                "https://169.254.169.254/latest/meta-data/", "https://127.0.0.1/x",
                "https://[::1]/x", "https://[fd00::1]/x", "https://[fe80::1]/x",
                "https://10.1.2.3/x", "https://192.168.0.1/x", "https://172.16.0.1/x",
                "https://0.0.0.0/x", "https://2130706433/x", "https://0x7f.1/x",
                "https://[::ffff:169.254.169.254]/x", "http://logs.example.com/x",
                "https://user:pw@logs.example.com/x", "ftp://logs.example.com/x",
                "http://127.0.0.1:4243/x", "", "https://"}) {
            URI api = location.contains("4243") ? STAND_IN : GITHUB;
            assertThatThrownBy(() -> RedirectTarget.of(api, LOGS, 302, location)).as(location)
                    .isInstanceOfSatisfying(GitHubCallException.class, e -> {
                        assertThat(e.error().errorClass()).isEqualTo(
                                ErrorClass.REDIRECT_NOT_FOLLOWED);
                        assertThat(e.error().retryable()).isFalse();
                    });
        }
        assertThatThrownBy(() -> RedirectTarget.of(GITHUB, LOGS, 302, null)).isInstanceOf(
                GitHubCallException.class);
    }

    @Test
    void everyFormOfALocalAddressLiteralIsRefused() {
        for (String location : new String[]{"https://[::ffff:127.0.0.1]/x",
                "https://[::ffff:7f00:1]/x", "https://[::127.0.0.1]/x", "https://[::]/x",
                "https://[::ffff:0:a9fe:a9fe]/x", "https://[64:ff9b::a9fe:a9fe]/x",
                "https://[64:ff9b:1::1]/x", "https://[2002:a9fe:a9fe::1]/x",
                "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x", "https://[fd00:ec2::254]/x",
                "https://[ff02::1]/x", "https://100.100.100.200/x", "https://0.1.2.3/x",
                "https://192.0.0.192/x", "https://198.18.0.1/x", "https://224.0.0.1/x",
                "https://255.255.255.255/x", "https://127.0.0.1./x", "https://0177.0.0.1/x",
                "https://0x7f000001/x", "https://127.1/x", "https://017700000001/x"}) {
            assertThatThrownBy(() -> RedirectTarget.of(GITHUB, LOGS, 302, location)).as(location)
                    .isInstanceOfSatisfying(GitHubCallException.class, e -> assertThat(e.error()
                            .errorClass()).isEqualTo(ErrorClass.REDIRECT_NOT_FOLLOWED));
        }
    }

    @Test
    void theApisOwnLoopbackHostIsFollowedOnItsOwnPortOnly() {
        assertThatThrownBy(() -> RedirectTarget.of(STAND_IN, LOGS, 302,
                "https://127.0.0.1:6379/x")).isInstanceOfSatisfying(GitHubCallException.class,
                        e -> assertThat(e.error().message()).contains("127.0.0.1"));
    }

    @Test
    void aResolvedAddressCarryingALocalIpv4OneIsLocalWhateverItsForm() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        java.net.InetAddress asIpv6 = java.net.Inet6Address.getByAddress("logs.example", mapped,
                null);

        assertThat(RedirectTarget.isLocal(asIpv6)).as(asIpv6.toString()).isTrue();
        assertThat(RedirectTarget.isLocal(java.net.InetAddress.getByName("100.64.0.1")))
                .isTrue();
        assertThat(RedirectTarget.isLocal(java.net.InetAddress.getByName("100.128.0.1")))
                .isFalse();
        assertThat(RedirectTarget.isLocal(java.net.InetAddress.getByName(
                "2606:50c0:8000::154"))).isFalse();
        assertThat(RedirectTarget.isLocal(java.net.InetAddress.getByName("::ffff:140.82.112.3")))
                .isFalse();
        assertThat(RedirectTarget.isLocal(java.net.InetAddress.getByName("20.60.40.4")))
                .isFalse();
    }

    @Test
    void aPublicAddressLiteralOverHttpsIsNotLocal() {
        assertThat(RedirectTarget.isLocalAddress("140.82.112.3")).isFalse();
        assertThat(RedirectTarget.isLocalAddress("example.com")).isFalse();
        assertThat(RedirectTarget.isLocalAddress("169.254.169.254")).isTrue();
    }
}
