package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which credential a forge call carries: its repository's own, else the host's, else none. */
class ForgeHostsTest {

    private final AtomicReference<String> sent = new AtomicReference<>();
    private final GitHubTransport transport = GitHubTransport.sendOnly(request -> {
        sent.set(request.credential().authorization());
        return new GitHubResponse(200, ResponseHeaders.of(), "{}");
    });
    private final MintContext context = new MintContext("r-1", "agent", "dev");

    private ForgeHosts.Host host(String token, String... repositories) {
        return new ForgeHosts.Host(Forge.GITLAB, "gitlab.com", transport,
                GitHubRequest.Credential.HostToken.gitlab("gitlab.com", token),
                java.util.Arrays.stream(
                        repositories).map(Glob::of).toList());
    }

    private String tokenFor(ForgeHosts hosts, String repository) {
        hosts.session(Forge.GITLAB, "gitlab.com", repository, context, Clock.systemUTC(), null)
                .get("/user");
        return sent.get();
    }

    @Test
    void aRepositorysOwnTokenBeforeTheHostsAndNoneForAnotherHost() throws IOException {
        ForgeHosts hosts = ForgeHosts.of(List.of(host("host-wide"), host("app-only",
                "group/app"), host("sub-only", "group/sub/**")));

        assertThat(tokenFor(hosts, "group/app")).isEqualTo("Bearer app-only");
        assertThat(tokenFor(hosts, "Group/Sub/Deep/X")).isEqualTo("Bearer sub-only");
        assertThat(tokenFor(hosts, "group/other")).isEqualTo("Bearer host-wide");
        assertThatThrownBy(() -> hosts.session(Forge.GITLAB, "gitlab.example.com", "group/app",
                context, Clock.systemUTC(), null)).isInstanceOf(GitHubCallException.class)
                .hasMessageContaining("no credential for group/app on GitLab host"
                        + " gitlab.example.com");
        assertThatThrownBy(() -> hosts.session(Forge.FORGEJO, "gitlab.com", "group/app",
                context, Clock.systemUTC(), null)).as("another forge on the same host name")
                .isInstanceOf(GitHubCallException.class);
    }

    @Test
    void withoutAHostWideTokenARepositoryNoTokenNamesIsRefused() {
        ForgeHosts hosts = ForgeHosts.of(List.of(host("app-only", "group/app")));

        assertThatThrownBy(() -> hosts.session(Forge.GITLAB, "gitlab.com", "group/other",
                context, Clock.systemUTC(), null)).isInstanceOf(GitHubCallException.class)
                .hasMessageContaining("no credential for group/other").hasMessageContaining(
                        ".repositories");
    }

    @Test
    void whichTokenACallCarriesNeverDependsOnChance() {
        assertThatThrownBy(() -> ForgeHosts.of(List.of(host("a"), host("b")))).isInstanceOf(
                ConfigurationException.class).hasMessageContaining(
                        "two credentials for every"
                                + " repository");
        assertThatThrownBy(() -> ForgeHosts.of(List.of(host("a", "g/p"), host("b", "G/P"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "two credentials for");
        assertThat(Optional.of(ForgeHosts.of(List.of(host("a", "g/p"), host("b"))).names()))
                .hasValueSatisfying(names -> assertThat(names).containsExactly(
                        "gitlab:gitlab.com"));
    }
}
