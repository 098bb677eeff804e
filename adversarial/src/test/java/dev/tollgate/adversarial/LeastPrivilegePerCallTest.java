package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 3: least privilege per call. Every installation token the executor asks GitHub for
 * names the one repository and only the permissions its action needs, and is reused for that
 * exact scope only; an agent cannot make the executor ask for more, by a call it is refused or by
 * a read that needs another permission.
 */
@ExtendWith(Standalone.Extension.class)
class LeastPrivilegePerCallTest {

    /** Every permission a tool of Tollgate's may need, at its level; nothing else is ever asked. */
    private static final Set<String> TOOL_PERMISSIONS = Set.of("contents", "issues",
            "pull_requests", "metadata", "checks", "statuses", "actions");

    private final Standalone tollgate;

    LeastPrivilegePerCallTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void aReaderCannotGetTheExecutorToAskForAWriteOrAnotherRepository() {
        int mintsBefore = tollgate.github().mintCount();
        int postsBefore = tollgate.github().requests("POST", "/repos/").size();
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            Map<String, Object> issue = reader.call("create_issue", Map.of("owner", "acme",
                    "repo", "app", "title", "let me write"));
            Map<String, Object> other = reader.call("get_file", Map.of("owner", "acme", "repo",
                    "other", "path", "README.md"));
            Map<String, Object> otherViaApi = reader.call("github_api_get", Map.of("path",
                    "/repos/acme/other/contents/README.md"));
            Map<String, Object> issues = reader.call("github_api_get", Map.of("path",
                    "/repos/acme/app/issues"));
            Map<String, Object> repository = reader.call("github_api_get", Map.of("path",
                    "/repos/acme/app"));

            assertThat(issue.get("status")).as("%s", issue).isEqualTo("denied");
            assertThat(other.get("status")).as("%s", other).isEqualTo("denied");
            assertThat(otherViaApi.get("status")).as("%s", otherViaApi).isEqualTo("denied");
            assertThat(issues.get("status")).as("%s", issues).isEqualTo("succeeded");
            assertThat(repository.get("status")).as("%s", repository).isEqualTo("succeeded");
        }
        List<GitHubStandIn.Mint> minted = since(mintsBefore);
        assertThat(minted).as("tokens minted during the attack").allSatisfy(mint -> {
            assertThat(mint.repositories()).as("%s", mint).containsExactly("app");
            assertThat(mint.permissions().values()).as("%s", mint).containsOnly("read");
        });
        assertThat(tollgate.github().mints()).as("a passthrough read of the issues asked for"
                + " what GitHub needs for issues (and pull requests, which are issues by number),"
                + " not the file contents the passthrough could also read").anySatisfy(
                        mint -> assertThat(mint.permissions()).isEqualTo(Map.of("issues",
                                "read", "pull_requests", "read")))
                .noneSatisfy(mint -> assertThat(mint.permissions()).containsKeys("contents",
                        "issues"));
        assertThat(tollgate.github().requests("POST", "/repos/").size()).as(
                "writes that reached GitHub").isEqualTo(postsBefore);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void eachTokenNamesOneRepositoryAndOnlyThePermissionsItsActionNeeds() {
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            Map<String, Object> issue = writer.call("create_issue", Map.of("owner", "acme",
                    "repo", "app", "title", "least privilege"));
            Map<String, Object> read = writer.call("github_api_get", Map.of("path",
                    "/repos/acme/app/issues"));
            assertThat(issue.get("status")).as("%s", issue).isEqualTo("succeeded");
            assertThat(read.get("status")).as("%s", read).isEqualTo("succeeded");
        }
        try (Standalone.Agent canary = tollgate.agent(tollgate.mint("canary"))) {
            Map<String, Object> again = canary.call("github_api_get", Map.of("path",
                    "/repos/acme/app/issues"));
            assertThat(again.get("status")).as("%s", again).isEqualTo("succeeded");
        }

        List<GitHubStandIn.Mint> minted = tollgate.github().mints();
        assertThat(minted).as("the issue's write asked for issues: write on acme/app alone (in"
                + " this attack, or an earlier one of the same scope: tokens are cached by scope)")
                .anySatisfy(mint -> {
                    assertThat(mint.repositories()).containsExactly("app");
                    assertThat(mint.permissions()).containsEntry("issues", "write")
                            .doesNotContainKey("contents").doesNotContainKey("pull_requests");
                });
        assertThat(minted).as("one token per exact scope in the whole run (an hour's tokens):"
                + " the canary's read of the issues reused the writer's").extracting(
                        mint -> mint.repositories() + " " + mint.permissions())
                .doesNotHaveDuplicates();
        assertThat(tollgate.github().mints()).as("every token minted in this run, by any attack")
                .allSatisfy(mint -> {
                    if (mint.repositories().isEmpty()) {
                        assertThat(mint.permissions()).as("%s: the one token that covers the"
                                + " whole installation is the installation sync's, to list its"
                                + " repositories (metadata: read alone)", mint).isEqualTo(Map.of(
                                        "metadata", "read"));
                    } else {
                        assertThat(mint.repositories()).as("%s names one repository", mint)
                                .hasSize(1);
                    }
                    assertThat(TOOL_PERMISSIONS).as("%s asks for nothing a tool does not need",
                            mint).containsAll(mint.permissions().keySet());
                    assertThat(mint.permissions().values()).as("%s", mint).isNotEmpty()
                            .allMatch(level -> level.equals("read") || level.equals("write"));
                });
        tollgate.assertTheCanaryIsStillAnswered();
    }

    private List<GitHubStandIn.Mint> since(int count) {
        List<GitHubStandIn.Mint> all = tollgate.github().mints();
        return all.subList(count, all.size());
    }
}
