package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.tools.Target.NumberKind;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * REST paths of github_api_get to their targets: the table that keeps the passthrough under every
 * condition the dedicated tools are under, including the spellings an attacker would try.
 */
class ApiRoutesTest {

    private static Target target(String path) {
        return target(path, Map.of());
    }

    private static Target target(String path, Map<String, Object> query) {
        return Tool.GITHUB_API_GET.definition().validate(Map.of("path", path, "query", query))
                .requireTarget();
    }

    /**
     * path | named paths | every path | named numbers | every number | named refs | every ref.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/repos/o/r                               | -                  | false | -  | false | -            | false",
            "/repos/o/r/contents/secrets/prod.env     | secrets/prod.env   | false | -  | false | -            | false",
            "/repos/o/r/CONTENTS/secrets/prod.env     | secrets/prod.env   | false | -  | false | -            | false",
            "/repos/O/R/Contents/docs/a.md            | docs/a.md          | false | -  | false | -            | false",
            "/repos/o/r/contents                      | -                  | false | -  | false | -            | false",
            "/repos/o/r/readme                        | -                  | true  | -  | false | -            | false",
            "/repos/o/r/readme/docs                   | -                  | true  | -  | false | -            | false",
            "/repos/o/r/license                       | -                  | true  | -  | false | -            | false",
            "/repos/o/r/git/trees/main                | -                  | true  | -  | false | main         | false",
            "/repos/o/r/git/trees/0123456789abcdef0123456789abcdef01234567 | - | true | - | false | 0123456789abcdef0123456789abcdef01234567 | true",
            "/repos/o/r/git/blobs/0123456789abcdef0123456789abcdef01234567 | - | true | - | false | -            | true",
            "/repos/o/r/git/commits/deadbeef          | -                  | false | -  | false | deadbeef     | true",
            "/repos/o/r/git/tags/deadbeef             | -                  | false | -  | false | -            | true",
            "/repos/o/r/git/ref/heads/main            | -                  | false | -  | false | -            | false",
            "/repos/o/r/branches                      | -                  | false | -  | false | -            | false",
            "/repos/o/r/branches/release              | -                  | false | -  | false | release      | false",
            "/repos/o/r/commits                       | -                  | false | -  | false | -            | false",
            "/repos/o/r/commits/main                  | -                  | true  | -  | false | main         | false",
            "/repos/o/r/commits/main~3                | -                  | true  | -  | false | main         | true",
            "/repos/o/r/commits/main/status           | -                  | false | -  | false | main         | false",
            "/repos/o/r/commits/main/pulls            | -                  | false | -  | true  | main         | false",
            // GitHub's {ref} spans segments: heads/BRANCH, tags/TAG, a branch with a slash
            "/repos/o/r/commits/heads/main            | -                  | true  | -  | false | main         | false",
            "/repos/o/r/commits/tags/v1.0             | -                  | true  | -  | false | v1.0         | false",
            "/repos/o/r/commits/release/v2            | -                  | true  | -  | false | release/v2   | false",
            "/repos/o/r/commits/heads/release/v2      | -                  | true  | -  | false | release/v2   | false",
            "/repos/o/r/commits/pull/77/head          | -                  | true  | 77 | false | -            | true",
            "/repos/o/r/commits/refs/pull/77/merge    | -                  | true  | 77 | false | -            | true",
            "/repos/o/r/commits/main/no-such-resource | -                  | true  | -  | false | main/no-such-resource | false",
            "/repos/o/r/commits/heads/main/status     | -                  | false | -  | false | main         | false",
            "/repos/o/r/commits/release/v2/statuses   | -                  | false | -  | false | release/v2   | false",
            "/repos/o/r/commits/release/v2/check-runs | -                  | false | -  | false | release/v2   | false",
            "/repos/o/r/commits/release/v2/check-suites | -                | false | -  | false | release/v2   | false",
            "/repos/o/r/commits/release/v2/pulls      | -                  | false | -  | true  | release/v2   | false",
            "/repos/o/r/compare/main...agent-x        | -                  | true  | -  | false | main         | false",
            "/repos/o/r/compare/main..HEAD~1          | -                  | true  | -  | false | main         | true",
            "/repos/o/r/pulls                         | -                  | false | -  | true  | -            | false",
            "/repos/o/r/pulls/42                      | -                  | false | 42 | false | -            | false",
            "/repos/o/r/pulls/0042                    | -                  | false | 42 | false | -            | false",
            "/repos/o/r/PULLS/42                      | -                  | false | 42 | false | -            | false",
            "/repos/o/r/pulls/42/files                | -                  | true  | 42 | false | -            | true",
            "/repos/o/r/pulls/42/commits              | -                  | false | 42 | false | -            | true",
            "/repos/o/r/pulls/42/comments             | -                  | true  | 42 | false | -            | true",
            "/repos/o/r/pulls/42/reviews/7/comments   | -                  | true  | 42 | false | -            | true",
            "/repos/o/r/pulls/42/reviews              | -                  | false | 42 | false | -            | false",
            "/repos/o/r/pulls/comments                | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/pulls/comments/99             | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/issues                        | -                  | false | -  | true  | -            | false",
            "/repos/o/r/issues/7                      | -                  | false | 7  | false | -            | false",
            "/repos/o/r/issues/7/comments             | -                  | false | 7  | false | -            | false",
            "/repos/o/r/issues/7/events               | -                  | false | 7  | false | -            | false",
            "/repos/o/r/issues/7/labels               | -                  | false | 7  | false | -            | false",
            // the timeline carries review comments (diff hunks) and cross-referencing issues
            "/repos/o/r/issues/7/timeline             | -                  | true  | 7  | true  | -            | true",
            "/repos/o/r/issues/7/sub_issues           | -                  | false | 7  | true  | -            | false",
            "/repos/o/r/issues/7/parent               | -                  | false | 7  | true  | -            | false",
            "/repos/o/r/issues/7/dependencies/blocked_by | -               | false | 7  | true  | -            | false",
            "/repos/o/r/issues/7/no-such-resource     | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/issues/comments               | -                  | false | -  | true  | -            | false",
            "/repos/o/r/issues/comments/123456        | -                  | false | -  | true  | -            | false",
            "/repos/o/r/issues/events/5               | -                  | false | -  | true  | -            | false",
            "/repos/o/r/labels                        | -                  | false | -  | false | -            | false",
            "/repos/o/r/check-runs/5                  | -                  | false | -  | false | -            | true",
            "/repos/o/r/events                        | -                  | true  | -  | true  | -            | true",
            // not in the table: touches everything
            "/repos/o/r/pulls/+42                     | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/pulls/42abc                   | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/issues/7.json                 | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/dependency-graph/sbom         | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/actions/runs/5                | -                  | true  | -  | true  | -            | true",
            "/repos/o/r/pages                         | -                  | true  | -  | true  | -            | true",
    })
    void parsesWhatEachRouteTouches(String path, String namedPath, boolean everyPath,
            Long namedNumber, boolean everyNumber, String namedRef, boolean everyRef) {
        Target target = target(path);

        assertThat(target.repository()).isEqualTo("o/r");
        assertThat(target.paths().named()).as("paths").isEqualTo(namedPath == null
                ? java.util.List.of()
                : java.util.List.of(namedPath));
        assertThat(target.paths().isEvery()).as("every path").isEqualTo(everyPath);
        assertThat(target.numbers().named()).as("numbers").isEqualTo(namedNumber == null
                ? java.util.List.of()
                : java.util.List.of(namedNumber));
        assertThat(target.numbers().isEvery()).as("every number").isEqualTo(everyNumber);
        if (namedRef != null) {
            assertThat(target.refs().named()).as("refs").contains(namedRef);
        } else {
            assertThat(target.refs().named()).as("refs").isEmpty();
        }
        assertThat(target.refs().isEvery()).as("every ref").isEqualTo(everyRef);
    }

    @Test
    void aPullRequestNumberIsAPullRequestAndAnIssueNumberMayBeEither() {
        assertThat(target("/repos/o/r/pulls/42").numberKind()).isEqualTo(NumberKind.PULL_REQUEST);
        assertThat(target("/repos/o/r/issues/42").numberKind()).isEqualTo(
                NumberKind.ISSUE_OR_PULL_REQUEST);
    }

    @Test
    void theRefQueryParameterIsARefRead() {
        assertThat(target("/repos/o/r/contents/a.txt", Map.of("ref", "release")).refs().named())
                .containsExactly("release");
        assertThat(target("/repos/o/r/contents/a.txt", Map.of("ref", "cafe1234")).refs()
                .isEvery()).isTrue();
        assertThat(target("/repos/o/r/commits", Map.of("sha", "release")).refs().named())
                .containsExactly("release");
        assertThat(target("/repos/o/r/contents/a.txt", Map.of("ref", "main:secrets/x")).paths()
                .isEvery()).as("a revision path reaches any file").isTrue();
    }

    @Test
    void aRefInTheQueryIsNamedAsTheBranchItSpells() {
        assertThat(target("/repos/o/r/contents/a.txt", Map.of("ref", "refs/heads/embargo-cve"))
                .refs().named()).containsExactly("embargo-cve");
        assertThat(target("/repos/o/r/commits", Map.of("sha", "refs/heads/embargo-cve")).refs()
                .named()).containsExactly("embargo-cve");
        assertThat(target("/repos/o/r/readme", Map.of("ref", "heads/embargo-cve")).refs()
                .named()).containsExactly("embargo-cve");
        assertThat(target("/repos/o/r/contents/a.txt", Map.of("ref", "refs/pull/77/merge"))
                .refs().isEvery()).isTrue();
    }

    @Test
    void listingCommitsByPathNamesThePathAsListCommitsDoes() {
        Target api = target("/repos/o/r/commits", Map.of("path", "secrets/prod.env", "sha",
                "main"));
        Target tool = Tool.LIST_COMMITS.definition().validate(Map.of("owner", "o", "repo", "r",
                "path", "secrets/prod.env", "sha", "main")).requireTarget();

        assertThat(api.paths()).isEqualTo(tool.paths());
        assertThat(api.refs()).isEqualTo(tool.refs());
    }

    @ParameterizedTest
    @ValueSource(strings = {"docs/../secrets/prod.env", "secrets%2fprod.env", "/secrets",
            "secrets\\prod.env"})
    void aHostileCommitsPathIsRefused(String path) {
        assertThatThrownBy(() -> target("/repos/o/r/commits", Map.of("path", path))).isInstanceOf(
                InvalidArgumentException.class).hasMessageContaining("query.path");
    }

    @Test
    void aBranchReadNamesEveryPrefixOfItsName() {
        assertThat(target("/repos/o/r/branches/agent-x/protection").refs().named())
                .containsExactly("agent-x", "agent-x/protection");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/o/r/tarball", "/repos/o/r/tarball/main",
            "/repos/o/r/zipball/main", "/repos/o/r/actions/runs/5/logs",
            "/repos/o/r/actions/jobs/9/logs", "/repos/o/r/actions/artifacts/3/zip"})
    void downloadsAreRefused(String path) {
        assertThatThrownBy(() -> target(path)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("download");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/o/r/contents/docs/../secrets/prod.env",
            "/repos/o/r/contents/docs/%2e%2e/secrets/prod.env",
            "/repos/o/r/contents/docs/%zz/%2e%2e/secrets",
            "/repos/o/r/contents/secrets%2fprod.env", "/repos/o/r/contents//secrets",
            "/repos/o/r/contents/./secrets", "/repos/o/r/contents/secrets\\prod.env",
            "/repos/o/r/contents/%2573ecrets", "/repos/o/r/git/trees/main:secrets",
            "/repos/o/r/contents/secrets?ref=x", "/repos/o/r/../other/contents/x",
            "/repos/o/r/contents/secrets/", "/repos/o/r/contents/%73ecrets"})
    void hostileSpellingsAreRefusedBeforeAnyRouteIsChosen(String path) {
        assertThatThrownBy(() -> target(path)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void theOwnerAndRepositoryComeFromThePathAndAreNormalized() {
        Target target = target("/repos/MyOrg/App/pulls/1");

        assertThat(target.owner()).isEqualTo("myorg");
        assertThat(target.repo()).isEqualTo("app");
    }

    /** path | the permissions its token is requested with (sorted name=access, ';'-joined). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/repos/o/r                          | metadata=read",
            "/repos/o/r/contents/docs/a.md       | contents=read",
            "/repos/o/r/CONTENTS/docs/a.md       | contents=read",
            "/repos/o/r/git/trees/main           | contents=read",
            "/repos/o/r/compare/main...dev       | contents=read",
            "/repos/o/r/commits/abc/pulls        | contents=read;pull_requests=read",
            "/repos/o/r/pulls/7/files            | pull_requests=read",
            "/repos/o/r/pulls                    | pull_requests=read",
            "/repos/o/r/issues                   | issues=read;pull_requests=read",
            "/repos/o/r/issues/7/comments        | issues=read;pull_requests=read",
            "/repos/o/r/labels                   | issues=read;pull_requests=read",
            "/repos/o/r/languages                | metadata=read",
            "/repos/o/r/commits/abc/status       | contents=read;issues=read;metadata=read;pull_requests=read",
            "/repos/o/r/commits/heads/main       | contents=read",
            "/repos/o/r/commits/heads/main/status | contents=read;issues=read;metadata=read;pull_requests=read",
            "/repos/o/r/unknown/route            | contents=read;issues=read;metadata=read;pull_requests=read"})
    void eachCallsTokenCarriesOnlyThePermissionItsRouteNeeds(String path, String expected) {
        ValidatedCall call = Tool.GITHUB_API_GET.definition().validate(Map.of("path", path));

        assertThat(String.join(";", call.permissions().entrySet().stream().sorted(
                Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue()).toList()))
                .isEqualTo(expected);
        assertThat(Tool.GITHUB_API_GET.permissions()).as("within the tool's own")
                .containsAllEntriesOf(
                        call.permissions());
    }
}
