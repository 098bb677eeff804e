package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ToolGrantTest {

    private static final Set<Tool> LOCAL = EnumSet.of(Tool.STATUS, Tool.GET_REQUEST_STATUS);

    private static List<Glob> globs(String... patterns) {
        return Stream.of(patterns).map(Glob::of).toList();
    }

    private static ToolGrant grant(List<Glob> ruleSetAgents, List<Glob> grantAgents,
            Set<Tool> tools) {
        return new ToolGrant("g", List.of(ruleSetAgents, grantAgents), List.of(List.of(), globs(
                "dev")), List.of("octo/app"), tools, false);
    }

    @Test
    void anAgentIsCoveredOnlyIfItMatchesEveryListAndEnvironment() {
        ToolGrant grant = grant(globs("ci-*"), globs("*-reader", "ci-bot"), Tier.READ.tools());

        assertThat(grant.covers("ci-reader", "dev")).isTrue();
        assertThat(grant.covers("ci-bot", "dev")).isTrue();
        assertThat(grant.covers("ci-writer", "dev")).as("not in the grant's list").isFalse();
        assertThat(grant.covers("local-reader", "dev")).as("not in the rule set's").isFalse();
        assertThat(grant.covers("ci-reader", "prod")).as("another environment").isFalse();
    }

    @Test
    void emptyListsMatchEveryone() {
        ToolGrant grant = new ToolGrant("g", List.of(List.of(), List.of()), List.of(), List.of(
                "*"), Set.of(Tool.GET_FILE), false);

        assertThat(grant.covers("anyone", "anywhere")).isTrue();
    }

    @Test
    void aReadOnlyAgentSeesNoWriteToolAndAlwaysTheLocalOnes() {
        List<ToolGrant> grants = List.of(grant(List.of(), globs("reader"), Tier.READ.tools()),
                grant(List.of(), globs("writer"), Tier.WRITE.tools()));

        Set<Tool> reader = ToolGrant.visibleTools(grants, "reader", "dev", Set.of(), List.of());
        Set<Tool> nobody = ToolGrant.visibleTools(grants, "stranger", "dev", Set.of(), List.of());

        assertThat(reader).containsAll(Tier.READ.tools()).containsAll(LOCAL);
        assertThat(reader).noneMatch(tool -> tool.kind() == Tool.Kind.WRITE);
        assertThat(nobody).containsExactlyInAnyOrderElementsOf(LOCAL);
        assertThat(ToolGrant.visibleTools(grants, "writer", "dev", Set.of(), List.of())).contains(
                Tool.CREATE_ISSUE, Tool.PUSH_FILES);
    }

    @Test
    void theTokensNarrowingTakesAwayAndNeverAdds() {
        List<ToolGrant> grants = List.of(grant(List.of(), List.of(), EnumSet.of(Tool.GET_FILE,
                Tool.LIST_ISSUES, Tool.CREATE_ISSUE)));

        assertThat(ToolGrant.visibleTools(grants, "a", "dev", Set.of("get_file", "push_files"),
                List.of()))
                .containsExactlyInAnyOrder(Tool.GET_FILE, Tool.STATUS, Tool.GET_REQUEST_STATUS);
        assertThat(ToolGrant.visibleTools(grants, "a", "dev", Set.of("github_api_get"), List.of()))
                .as("listing the passthrough keeps the reads it could make anyway")
                .containsExactlyInAnyOrder(Tool.GET_FILE, Tool.LIST_ISSUES, Tool.STATUS,
                        Tool.GET_REQUEST_STATUS);
    }

    @Test
    void narrowingKeepsWhatThePolicyEngineKeeps() {
        assertThat(ToolGrant.narrowingKeeps(Set.of(), Tool.PUSH_FILES)).isTrue();
        assertThat(ToolGrant.narrowingKeeps(Set.of("get_file"), Tool.GET_FILE)).isTrue();
        assertThat(ToolGrant.narrowingKeeps(Set.of("get_file"), Tool.GET_TREE)).isFalse();
        assertThat(ToolGrant.narrowingKeeps(Set.of("github_api_get"), Tool.GET_TREE)).isTrue();
        assertThat(ToolGrant.narrowingKeeps(Set.of("github_api_get"), Tool.CREATE_ISSUE))
                .isFalse();
    }

    @Test
    void namesItsToolsSorted() {
        ToolGrant grant = grant(List.of(), List.of(), EnumSet.of(Tool.PUSH_FILES, Tool.GET_FILE,
                Tool.CREATE_BRANCH));

        assertThat(grant.toolNames()).containsExactly("create_branch", "get_file", "push_files");
    }

    private static ToolGrant on(String... repositories) {
        return new ToolGrant("g", List.of(), List.of(), List.of(repositories), Set.of(
                Tool.GET_FILE), false);
    }

    @Test
    void aGrantReachesANarrowedRepositoryWhenSomeRepositoryCouldMatchBoth() {
        assertThat(on("octo/app").reaches("octo/app")).isTrue();
        assertThat(on("octo/app").reaches("OCTO/App")).as("GitHub names ignore case").isTrue();
        assertThat(on("octo/app").reaches("octo/other")).isFalse();
        assertThat(on("octo/app").reaches("octo/*")).isTrue();
        assertThat(on("octo/app").reaches("other/*")).isFalse();
        assertThat(on("octo/app-*").reaches("octo/app-web")).isTrue();
        assertThat(on("octo/app-*").reaches("octo/web")).isFalse();
        assertThat(on("octo/*").reaches("octo/anything")).isTrue();
        assertThat(on("*").reaches("any/thing")).isTrue();
        assertThat(on("other/x", "octo/app").reaches("octo/app")).isTrue();
        assertThat(new ToolGrant("monitor", List.of(), List.of(), List.of(), Set.of(Tool.GET_FILE),
                true).reaches("any/thing")).isTrue();
    }

    @Test
    void aTokenNarrowedToRepositoriesIsListedOnlyTheToolsOfGrantsThatReachThem() {
        List<ToolGrant> grants = List.of(new ToolGrant("reads", List.of(), List.of(), List.of(
                "octo/*"), Tier.READ.tools(), false), new ToolGrant("writes", List.of(), List.of(),
                        List.of("octo/app"), EnumSet.of(Tool.CREATE_ISSUE), false));

        assertThat(ToolGrant.visibleTools(grants, "a", "dev", Set.of(), List.of("octo/web")))
                .contains(Tool.GET_FILE).doesNotContain(Tool.CREATE_ISSUE);
        assertThat(ToolGrant.visibleTools(grants, "a", "dev", Set.of(), List.of("octo/app")))
                .contains(Tool.GET_FILE, Tool.CREATE_ISSUE);
        assertThat(ToolGrant.visibleTools(grants, "a", "dev", Set.of(), List.of("else/where")))
                .containsExactlyInAnyOrder(Tool.STATUS, Tool.GET_REQUEST_STATUS);
    }

    @Test
    void withoutGrantsATokenMayUseWhatItsNarrowingLeaves() {
        assertThat(ToolGrant.leftByNarrowing(Set.of())).containsExactlyInAnyOrder(Tool.values());
        assertThat(ToolGrant.leftByNarrowing(Set.of("create_issue"))).containsExactlyInAnyOrder(
                Tool.STATUS, Tool.GET_REQUEST_STATUS, Tool.CREATE_ISSUE);
    }
}
