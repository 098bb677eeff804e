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
    void aPublicAddressLiteralOverHttpsIsNotLocal() {
        assertThat(RedirectTarget.isLocalAddress("140.82.112.3")).isFalse();
        assertThat(RedirectTarget.isLocalAddress("example.com")).isFalse();
        assertThat(RedirectTarget.isLocalAddress("169.254.169.254")).isTrue();
    }
}
