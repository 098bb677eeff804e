package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JIRA tools' definitions, their targets, and the JQL guard that keeps a search inside. */
class JiraToolsTest {

    private static Target of(Tool tool, Map<String, Object> args) {
        return tool.definition().validate(args).requireTarget();
    }

    @Test
    void aSearchTargetsItsProjectOnTheOneJiraSiteAndEveryIssueThere() {
        Target target = of(Tool.JIRA_SEARCH, Map.of("project", "proj", "jql",
                "status = Done"));

        assertThat(target.host()).isEqualTo(Target.JIRA);
        assertThat(target.owner()).isEqualTo("PROJ");
        assertThat(target.repository()).isEqualTo("PROJ");
        assertThat(target.numbers().every()).isPresent();
        assertThat(target.numberKind()).isEqualTo(Target.NumberKind.ISSUE);
        assertThat(Tool.JIRA_SEARCH.forge()).isEqualTo(Forge.JIRA);
    }

    @Test
    void anIssueKeyNamesItsProjectAndNumber() {
        Target target = of(Tool.JIRA_ADD_COMMENT, Map.of("issue_key", "ops_2-17", "body", "b"));

        assertThat(target.repository()).isEqualTo("OPS_2");
        assertThat(target.numbers().named()).containsExactly(17L);
        assertThat(target.describe()).contains("repository: OPS_2 on jira");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROJ", "PROJ-", "PROJ-0", "1PROJ-2", "PR OJ-1", "PROJ-1 OR x",
            "PROJ-1\n"})
    void anIssueKeyIsAKeyDashNumber(String key) {
        assertThatThrownBy(() -> of(Tool.JIRA_GET_ISSUE, Map.of("issue_key", key)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("issue_key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROJ\" OR project = OTHER", "P-1", "_P", "P/Q", ""})
    void aProjectIsAKey(String key) {
        assertThatThrownBy(() -> of(Tool.JIRA_SEARCH, Map.of("project", key)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("project");
    }

    @Test
    void theTiersAreServiceGatorsJiraTiers() {
        assertThat(Forge.JIRA.tiers()).containsExactlyInAnyOrder(Tier.READ, Tier.CREATE,
                Tier.WRITE);
        assertThat(Tool.JIRA_CREATE_ISSUE.tier()).isEqualTo(Tier.CREATE);
        assertThat(Tool.JIRA_ADD_COMMENT.tier()).isEqualTo(Tier.WRITE);
        assertThat(Tool.JIRA_TRANSITION_ISSUE.tier()).isEqualTo(Tier.WRITE);
        assertThat(Forge.GITHUB.tiers()).doesNotContain(Tier.CREATE);
        assertThat(Forge.JIRA.fixedHost()).contains(Target.JIRA);
        assertThat(Tool.passthroughOf(Forge.JIRA)).isNull();
        assertThat(ToolGrant.narrowingKeeps(java.util.Set.of("jira_get_issue"),
                Tool.JIRA_SEARCH)).isFalse();
    }

    @Test
    void createdIssuesNameTheirLabelsAndWrittenTextIsContent() {
        Target target = of(Tool.JIRA_CREATE_ISSUE, Map.of("project", "PROJ", "summary", "s",
                "labels", List.of("backend", "agent")));

        assertThat(target.labels()).containsExactly("backend", "agent");
        assertThatThrownBy(() -> of(Tool.JIRA_CREATE_ISSUE, Map.of("project", "PROJ",
                "summary", "s", "labels", List.of("two words")))).isInstanceOf(
                        InvalidArgumentException.class)
                .hasMessageContaining("labels");
        assertThatThrownBy(() -> of(Tool.JIRA_CREATE_ISSUE, Map.of("project", "PROJ",
                "summary", "s", "labels", List.of("Tollgate-Request-0f9e")))).as(
                        "the gateway's marker: an agent could make a later call look done")
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "the gateway's own");
        assertThat(Tool.JIRA_CREATE_ISSUE.definition().params().stream().filter(
                p -> p instanceof Param.Str str && str.content()).map(Param::name))
                .containsExactly("summary", "description");
    }

    // ---- the JQL guard ----

    @Test
    void theAgentsConditionsGoInsideTheProjectAndItsOrderStaysLast() {
        assertThat(Jql.narrow("PROJ", "status = Done OR labels = x ORDER BY updated DESC, key"))
                .isEqualTo("project = \"PROJ\" AND (status = Done OR labels = x) ORDER BY"
                        + " updated DESC, key");
        assertThat(Jql.narrow("PROJ", null)).isEqualTo(
                "project = \"PROJ\" ORDER BY created DESC");
        assertThat(Jql.narrow("PROJ", "order by priority")).isEqualTo(
                "project = \"PROJ\" ORDER BY priority");
        assertThat(Jql.narrow("PROJ", "summary ~ \"order by (x\"")).isEqualTo(
                "project = \"PROJ\" AND (summary ~ \"order by (x\") ORDER BY created DESC");
        assertThat(Jql.narrow("PROJ", "recorder = x")).isEqualTo(
                "project = \"PROJ\" AND (recorder = x) ORDER BY created DESC");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "x = 1) OR (project = OTHER", // closes the gateway's group
            ") OR project = OTHER OR (",
            "summary ~ \"a\\\") OR project = OTHER", // an escaped quote keeps the string open
            "summary ~ 'unterminated",
            "(status = Done",
            "status = Done ORDER BY key, (project = OTHER)",
            "status = Done ORDER BY key OR project = OTHER",
            "summary ~ a\\)b",
            "status = Done\u0000",
            "issueFunction in linkedIssuesOf(\"project = SECRET AND summary ~ plans\")",
            "issue in subquery(\"project = SECRET\")",
            "key in myFunction ()"})
    void aQueryThatCouldLeaveTheProjectIsRefused(String jql) {
        assertThatThrownBy(() -> of(Tool.JIRA_SEARCH, Map.of("project", "PROJ", "jql", jql)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("jql");
        assertThatThrownBy(() -> Jql.narrow("PROJ", jql)).isInstanceOf(
                InvalidArgumentException.class);
    }

    /**
     * JIRA takes any string before a parenthesis as a function's name: quoted, or unquoted with
     * characters other than letters and digits ({@code -}, {@code :}, a no-break space), so the
     * guard reads the name as JIRA's lexer does and an app's query-running function cannot hide
     * behind quotes or behind the tail of an allowed name.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "issueFunction in \"linkedIssuesOf\"(\"project = SECRET AND summary ~ plans\")",
            "issueFunction in 'linkedIssuesOf'(\"project = SECRET\")",
            "issueFunction in \"linkedIssuesOf\" (\"project = SECRET\")",
            "issueFunction in linkedIssuesOf\u00a0(\"project = SECRET\")",
            "issueFunction in my-now(\"project = SECRET\")",
            "issueFunction in app:membersOf(\"project = SECRET\")",
            "issueFunction in 7(\"project = SECRET\")"})
    void aFunctionNamedSoThatOnlyJiraSeesItIsRefused(String jql) {
        assertThatThrownBy(() -> Jql.narrow("PROJ", jql)).as(jql).isInstanceOf(
                InvalidArgumentException.class).hasMessageContaining("jql");
    }

    @Test
    void groupsAfterJqlsSymbolicOperatorsPass() {
        String jql = "!(status = Done) && (labels = a || (labels = b)) & key in (\"P-1\","
                + " 'P-2')";

        assertThat(Jql.narrow("PROJ", jql)).isEqualTo("project = \"PROJ\" AND (" + jql
                + ") ORDER BY created DESC");
    }

    @Test
    void jirasOwnFunctionsAndGroupsAfterKeywordsPass() {
        String jql = "assignee = currentUser() AND sprint in openSprints() AND created >="
                + " startOfWeek(-1) AND status was in (Open, \"In Progress\") AND (labels is"
                + " EMPTY OR NOT (priority in (High)))";
        assertThat(Jql.narrow("PROJ", jql)).contains(jql);
        assertThat(Jql.narrow("PROJ", "summary ~ \"subquery(x)\"")).as("inside quotes: text")
                .contains("subquery(x)");
    }

    @Test
    void parenthesesAndQuotesInsideTheQueryAreTheAgents() {
        String jql = "(status = 'In \\'Progress' OR summary ~ \")\") AND (labels in (a, b))";
        assertThat(Jql.narrow("PROJ", jql)).isEqualTo("project = \"PROJ\" AND (" + jql
                + ") ORDER BY created DESC");
        assertThat(Jql.narrow("PROJ", "status = Done ORDER BY \"Story Points\" ASC, cf[10010]"))
                .endsWith("ORDER BY \"Story Points\" ASC, cf[10010]");
    }
}
