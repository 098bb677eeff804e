package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A write carrying what looks like a credential is refused before any grant is read, whatever the
 * policy and its mode; the reason names the kind and the place, never the value. Reads are not
 * scanned.
 */
class CredentialsInContentTest {

    // Fake credentials, assembled so that this file holds none verbatim.
    static final String BODY = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
    static final String GITHUB_TOKEN = "ghp_" + BODY;
    private static final String SLACK_TOKEN = "xoxb-" + "2635942065-2343594206574-"
            + "ojfljoQoaF1LlqsajAIxNKu8";

    private static final Policy GRANTS_EVERYTHING = Policy.of(RuleSet.enforcing("default", List
            .of(Grant.of("octo/hello", Tier.values())), List.of()));

    private static DecisionRequest call(String tool, Map<String, Object> arguments) {
        return DecisionRequest.forCall("bot", "prod", tool, arguments);
    }

    private static Denied deniedBy(Policy policy, DecisionRequest request) {
        Decision decision = new PolicyEngine(policy).decide(request);
        assertThat(decision).isInstanceOf(Denied.class);
        return (Denied) decision;
    }

    @Test
    void aPushedFileWithATokenIsRefusedByPathAndLine() {
        DecisionRequest push = call("push_files", Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-docs", "message", "docs", "files", List.of(Map.of("path",
                        "README.md", "content", "# Hello\n\nexport GH=" + GITHUB_TOKEN + "\n"))));

        Denied denied = deniedBy(GRANTS_EVERYTHING, push);

        assertThat(denied.kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
        assertThat(denied.reason()).isEqualTo("push_files refused: README.md line 3 holds what"
                + " looks like a GitHub token (ghp_…); remove it, or use a secret store");
        assertThat(denied.rules()).anySatisfy(rule -> {
            assertThat(rule.rule()).isEqualTo(PolicyEngine.RULE_NO_CREDENTIALS);
            assertThat(rule.matched()).isTrue();
        });
        assertThat(denied.rules()).noneMatch(rule -> rule.effect() == RuleTrace.Effect.ALLOW);
    }

    @Test
    void anIssueBodyWithATokenIsRefusedAndEveryFindingIsNamed() {
        DecisionRequest issue = call("create_issue", Map.of("owner", "octo", "repo", "hello",
                "title", "CI broken", "body", "It fails with\n" + SLACK_TOKEN + "\nand "
                        + GITHUB_TOKEN));

        Denied denied = deniedBy(GRANTS_EVERYTHING, issue);

        assertThat(denied.kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
        assertThat(denied.reason()).isEqualTo("create_issue refused: body line 2 holds what looks"
                + " like a Slack token (xoxb-…); remove it, or use a secret store (also: body"
                + " line 3 holds what looks like a GitHub token (ghp_…))");
        assertThat(denied.reason()).doesNotContain(BODY.substring(0, 8)).doesNotContain(
                "ojfljoQo");
    }

    @Test
    void aReviewCommentWithAPrivateKeyIsRefused() {
        String key = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n"
                + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                + "-----END OPENSSH " + "PRIVATE KEY-----";
        DecisionRequest review = call("create_pending_review", Map.of("owner", "octo", "repo",
                "hello", "pull_number", 4, "body", "Looks good", "comments", List.of(Map.of(
                        "path", "src/a.c", "line", 3, "body", "use this key:\n" + key))));

        Denied denied = deniedBy(GRANTS_EVERYTHING, review);

        assertThat(denied.kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
        assertThat(denied.reason()).startsWith("create_pending_review refused: comments[0].body"
                + " line 2 holds what looks like a private key;").doesNotContain("b3BlbnNz");
    }

    @Test
    void manyFindingsAreNamedFiveAtMost() {
        List<Object> files = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            files.add(Map.of("path", "f" + i + ".env", "content", "GH=" + GITHUB_TOKEN));
        }
        DecisionRequest push = call("push_files", Map.of("owner", "octo", "repo", "hello",
                "branch", "agent-env", "message", "env", "files", files));

        String reason = deniedBy(GRANTS_EVERYTHING, push).reason();

        assertThat(reason).startsWith("push_files refused: f0.env line 1 holds").contains(
                "f4.env line 1").doesNotContain("f5.env").endsWith("; and more)");
    }

    @Test
    void noPolicyOrModeLiftsTheRefusal() {
        DecisionRequest comment = call("comment_on_issue", Map.of("owner", "octo", "repo",
                "hello", "issue_number", 9, "body", GITHUB_TOKEN));
        Policy monitoring = Policy.of(RuleSet.enforcing("watch", List.of(), List.of()).inMode(
                Mode.MONITOR));

        assertThat(deniedBy(monitoring, comment).kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
        assertThat(deniedBy(Policy.empty(), comment).kind()).isEqualTo(
                Denied.Kind.SECRET_IN_CONTENT);
    }

    @Test
    void aWriteWithOrdinaryContentIsDecidedByThePolicy() {
        DecisionRequest comment = call("comment_on_issue", Map.of("owner", "octo", "repo",
                "hello", "issue_number", 9, "body", "Set `password = os.environ[\"X\"]`; the"
                        + " token comes from ${{ secrets.GITHUB_TOKEN }} (ghp_xxxxxxxxxxxxxxxxxxxx)."));

        Decision decision = new PolicyEngine(GRANTS_EVERYTHING).decide(comment);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.rules()).anySatisfy(rule -> {
            assertThat(rule.rule()).isEqualTo(PolicyEngine.RULE_NO_CREDENTIALS);
            assertThat(rule.matched()).isFalse();
        });
    }

    @Test
    void readsAreNeverScanned() {
        DecisionRequest search = call("search_code", Map.of("owner", "octo", "repo", "hello",
                "query", GITHUB_TOKEN));

        Decision decision = new PolicyEngine(GRANTS_EVERYTHING).decide(search);

        assertThat(search.credentials()).isEmpty();
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.rules()).noneMatch(rule -> rule.rule().equals(
                PolicyEngine.RULE_NO_CREDENTIALS));
    }
}
