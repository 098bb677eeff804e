package dev.tollgate.tools.secrets;

import static dev.tollgate.tools.secrets.CredentialDetectorTest.GITHUB_CLASSIC;
import static dev.tollgate.tools.secrets.CredentialDetectorTest.SLACK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ValidatedCall;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WrittenContentTest {

    private static ValidatedCall call(Tool tool, Map<String, Object> arguments) {
        return ToolCatalogue.standard().validate(tool.toolName(), arguments);
    }

    private static List<String> described(ValidatedCall call) {
        return WrittenContent.credentials(call).stream().map(CredentialFinding::describe).toList();
    }

    @Test
    void aPushedFileIsNamedByItsPathAndLine() {
        ValidatedCall push = call(Tool.PUSH_FILES, Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-fix", "message", "docs", "files", List.of(
                        Map.of("path", "docs/intro.md", "content", "# Intro\n"),
                        Map.of("path", "README.md", "content", "# Hello\n\ntoken: "
                                + GITHUB_CLASSIC + "\n"))));

        assertThat(described(push)).containsExactly(
                "README.md line 3 holds what looks like a GitHub token (ghp_…)");
    }

    @Test
    void base64ContentIsDecodedBeforeItIsScanned() {
        String encoded = Base64.getEncoder().encodeToString(("a\nb\nslack=" + SLACK)
                .getBytes(StandardCharsets.UTF_8));
        ValidatedCall push = call(Tool.PUSH_FILES, Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-fix", "message", "bin", "files", List.of(Map.of("path",
                        "conf.bin", "content", encoded, "encoding", "base64"))));

        assertThat(described(push)).containsExactly(
                "conf.bin line 3 holds what looks like a Slack token (xoxb-…)");
    }

    @Test
    void bodiesTitlesAndReviewCommentsAreNamedByTheirArgument() {
        ValidatedCall issue = call(Tool.CREATE_ISSUE, Map.of("owner", "octo", "repo", "hello",
                "title", "leaks " + GITHUB_CLASSIC, "body", "first\nsecond " + SLACK));
        ValidatedCall review = call(Tool.CREATE_PENDING_REVIEW, Map.of("owner", "octo", "repo",
                "hello", "pull_number", 3, "comments", List.of(Map.of("path", "a.c", "line", 1,
                        "body", "fine"),
                        Map.of("path", "b.c", "line", 2, "body", "use "
                                + GITHUB_CLASSIC))));

        assertThat(described(issue)).containsExactly(
                "title holds what looks like a GitHub token (ghp_…)",
                "body line 2 holds what looks like a Slack token (xoxb-…)");
        assertThat(described(review)).containsExactly(
                "comments[1].body holds what looks like a GitHub token (ghp_…)");
    }

    @Test
    void checkRunOutputIsScanned() {
        ValidatedCall check = call(Tool.CREATE_CHECK_RUN, Map.of("owner", "octo", "repo",
                "hello", "name", "lint", "head_sha", "0fb23c6f5da2cec255404e4fb440034d6608697a",
                "conclusion", "failure", "summary", "env:\n  GH=" + GITHUB_CLASSIC));

        assertThat(described(check)).containsExactly(
                "summary line 2 holds what looks like a GitHub token (ghp_…)");
    }

    @Test
    void aCallReportsAtMostTheCap() {
        List<Object> files = new java.util.ArrayList<>();
        for (int i = 0; i < WrittenContent.MAX_FINDINGS + 5; i++) {
            files.add(Map.of("path", "f" + i + ".env", "content", "GH=" + GITHUB_CLASSIC));
        }
        ValidatedCall push = call(Tool.PUSH_FILES, Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-fix", "message", "env", "files", files));

        List<CredentialFinding> found = WrittenContent.credentials(push);

        assertThat(found).hasSize(WrittenContent.MAX_FINDINGS);
        assertThat(found.get(0).location()).isEqualTo("f0.env line 1");
    }

    @Test
    void aBoundedSecondLookReadsOnlyTheStartOfTheText() {
        String padding = "x".repeat(20_000) + "\n";
        ValidatedCall early = call(Tool.PUSH_FILES, Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-fix", "message", "docs", "files", List.of(Map.of("path",
                        "a.md", "content", "token: " + GITHUB_CLASSIC + "\n" + padding))));
        ValidatedCall late = call(Tool.PUSH_FILES, Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-fix", "message", "docs", "files", List.of(Map.of("path",
                        "a.md", "content", padding + "token: " + GITHUB_CLASSIC + "\n"))));

        assertThat(WrittenContent.credentials(early, 16 * 1024)).hasSize(1);
        assertThat(WrittenContent.credentials(late, 16 * 1024)).as("beyond the bound").isEmpty();
        assertThat(WrittenContent.credentials(late)).as("the full scan").hasSize(1);
    }

    @Test
    void readsAreNeverScanned() {
        ValidatedCall read = call(Tool.SEARCH_CODE, Map.of("owner", "octo", "repo", "hello",
                "query", GITHUB_CLASSIC));

        assertThat(WrittenContent.credentials(read)).isEmpty();
    }

    @Test
    void aWriteWithOrdinaryTextHoldsNothing() {
        ValidatedCall comment = call(Tool.COMMENT_ON_ISSUE, Map.of("owner", "octo", "repo",
                "hello", "issue_number", 7, "body", "Set `password = os.environ[\"X\"]` and"
                        + " read the token from ${{ secrets.GITHUB_TOKEN }}, commit 0fb23c6f5da2"
                        + "cec255404e4fb440034d6608697a."));

        assertThat(WrittenContent.credentials(comment)).isEmpty();
    }

    @Test
    void theBodyOfEveryOtherTextWriteIsScanned() {
        assertThat(WrittenContent.credentials(call(Tool.UPDATE_PENDING_REVIEW, Map.of("owner",
                "octo", "repo", "hello", "pull_number", 3, "review_id", 9, "body",
                GITHUB_CLASSIC)))).hasSize(1);
        assertThat(WrittenContent.credentials(call(Tool.SUBMIT_PENDING_REVIEW, Map.of("owner",
                "octo", "repo", "hello", "pull_number", 3, "review_id", 9, "body",
                GITHUB_CLASSIC)))).hasSize(1);
        assertThat(WrittenContent.credentials(call(Tool.REPLY_TO_REVIEW_COMMENT, Map.of("owner",
                "octo", "repo", "hello", "pull_number", 3, "comment_id", 9, "body",
                GITHUB_CLASSIC)))).hasSize(1);
        assertThat(WrittenContent.credentials(call(Tool.CREATE_PR, Map.of("owner", "octo",
                "repo", "hello", "title", "t", "head", "agent-x", "base", "dev", "body",
                GITHUB_CLASSIC)))).hasSize(1);
        assertThat(WrittenContent.credentials(call(Tool.UPDATE_ISSUE, Map.of("owner", "octo",
                "repo", "hello", "issue_number", 3, "body", GITHUB_CLASSIC)))).hasSize(1);
        assertThat(WrittenContent.credentials(call(Tool.CREATE_PULL_REQUEST_COMMENT, Map.of(
                "owner", "octo", "repo", "hello", "pull_number", 3, "body",
                GITHUB_CLASSIC)))).hasSize(1);
    }
}
