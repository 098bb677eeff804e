package dev.tollgate.ingress.core.grants;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyGrantsTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    private static PolicyGrants.InForce policy(String version, Instant at, Tool... tools) {
        return new PolicyGrants.InForce(version, at, List.of(new ToolGrant("g", List.of(List.of(
                Glob.of("bot"))), List.of(), List.of("octo/app"), Set.of(tools), false)));
    }

    @Test
    void nothingIsKnownUntilAPolicyWithGrantsIsRead() {
        PolicyGrants grants = new PolicyGrants();

        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of())).isEmpty();
        assertThat(grants.grantsOf("bot", "dev", List.of())).isEmpty();
    }

    @Test
    void theNewestPolicyWinsWhateverOrderTheEventsArriveIn() {
        PolicyGrants grants = new PolicyGrants();

        assertThat(grants.offer(policy("v2", T0.plusSeconds(10), Tool.GET_FILE))).isTrue();
        assertThat(grants.offer(policy("v1", T0, Tool.CREATE_ISSUE))).as("older").isFalse();

        assertThat(grants.inForce().orElseThrow().version()).isEqualTo("v2");
        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of()).orElseThrow()).contains(
                Tool.GET_FILE).doesNotContain(Tool.CREATE_ISSUE);
        assertThat(grants.grantsOf("other", "dev", List.of()).orElseThrow()).isEmpty();
    }

    @Test
    void aNewerEventWithoutGrantsMakesThemUnknownAgain() {
        PolicyGrants grants = new PolicyGrants();
        grants.offer(policy("v1", T0, Tool.GET_FILE));

        grants.offer(new PolicyGrants.InForce("v2", T0.plusSeconds(1), null));

        assertThat(grants.inForce()).isEmpty();
        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of())).isEmpty();
    }
    private static ToolGrant grant(String name, List<String> repositories, Tool... tools) {
        return new ToolGrant(name, List.of(), List.of(), repositories, Set.of(tools), false);
    }

    @Test
    void statusSaysPerForgeAndHostWhatTheGrantsLetAnAgentDoThere() {
        List<ToolGrant> grants = List.of(grant("github", List.of("octo/app", "octo/lib-*"),
                Tool.GET_FILE, Tool.PUSH_FILES),
                grant("codeberg", List.of(
                        "forgejo:codeberg.org/user/project"), Tool.FORGEJO_GET_FILE,
                        Tool.FORGEJO_PUSH_FILES),
                grant("gitlab", List.of("gitlab:gitlab.com/group/sub/project",
                        "gitlab:git.example.com:8443/team/*"), Tool.GITLAB_GET_FILE),
                grant("more codeberg", List.of("forgejo:codeberg.org/user/other"),
                        Tool.FORGEJO_GET_FILE),
                grant("jira", List.of("jira:PROJ", "jira:OPS*"), Tool.JIRA_SEARCH,
                        Tool.JIRA_CREATE_ISSUE),
                grant("local only", List.of("octo/app"), Tool.STATUS));

        List<Map<String, Object>> forges = PolicyGrants.forges(grants, Set.of());

        assertThat(forges).containsExactly(
                Map.of("forge", "github", "repositories", List.of("octo/app", "octo/lib-*"),
                        "tools", List.of("get_file", "push_files")),
                Map.of("forge", "forgejo", "host", "codeberg.org", "repositories", List.of(
                        "user/other", "user/project"), "tools",
                        List.of("forgejo_get_file",
                                "forgejo_push_files")),
                Map.of("forge", "gitlab", "host", "gitlab.com", "repositories", List.of(
                        "group/sub/project"), "tools", List.of("gitlab_get_file")),
                Map.of("forge", "gitlab", "host", "git.example.com:8443", "repositories", List
                        .of("team/*"), "tools", List.of("gitlab_get_file")),
                Map.of("forge", "jira", "projects", List.of("OPS*", "PROJ"), "tools", List.of(
                        "jira_create_issue", "jira_search")));
    }

    @Test
    void aNarrowedTokenSeesOnlyTheForgesItsToolsReach() {
        List<ToolGrant> grants = List.of(grant("github", List.of("octo/app"), Tool.GET_FILE,
                Tool.PUSH_FILES), grant("jira", List.of("jira:PROJ"), Tool.JIRA_SEARCH));

        assertThat(PolicyGrants.forges(grants, Set.of("get_file"))).containsExactly(Map.of(
                "forge", "github", "repositories", List.of("octo/app"), "tools", List.of(
                        "get_file")));
    }
}
