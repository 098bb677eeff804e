package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class WithheldContentTest {

    private static final ToolCatalogue TOOLS = ToolCatalogue.standard();

    private static ValidatedCall push() {
        return TOOLS.validate("push_files", Map.of("owner", "octo-org", "repo", "hello-world",
                "branch", "agent-fix", "message", "Fix the docs", "files", List.of(
                        Map.of("path", "docs/README.md", "content", "Hello, wörld\n"),
                        Map.of("path", "bin/tool", "content", "IyEvYmluL3NoCg==", "encoding",
                                "base64", "executable", true),
                        Map.of("path", "old.txt", "delete", true))));
    }

    @Test
    void aPushKeepsItsPathsAndMessageAndWithholdsEachFilesContentBehindItsProof()
            throws Exception {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);

        assertThat(split.withheld()).isTrue();
        assertThat(split.values()).containsExactly(
                Map.entry("/files/0/content", "Hello, wörld\n"),
                Map.entry("/files/1/content", "IyEvYmluL3NoCg=="));
        assertThat(split.argumentsJson()).doesNotContain("Hello").doesNotContain(
                "IyEvYmluL3NoCg==").contains("docs/README.md", "bin/tool", "old.txt",
                        "Fix the docs", "agent-fix");
        byte[] utf8 = "Hello, wörld\n".getBytes(StandardCharsets.UTF_8);
        String expected = "[withheld sha256:" + HexFormat.of().formatHex(MessageDigest
                .getInstance("SHA-256").digest(utf8)) + " bytes:" + utf8.length + "]";
        assertThat(split.argumentsJson()).contains(expected);
        assertThat(WithheldContent.isProof(expected)).isTrue();
    }

    @Test
    void theArgumentsWithProofsPassTheToolsDefinitionAndGiveTheSameTargetAndPermissions() {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);

        // the decision worker and a compliance replay decide on these
        ValidatedCall kept = TOOLS.validate("push_files", split.arguments());
        assertThat(kept.target()).isEqualTo(call.target());
        assertThat(kept.permissions()).isEqualTo(call.permissions());
        assertThat(WithheldContent.anyWithheld(kept.tool(), kept.arguments())).isTrue();
        assertThat(WithheldContent.anyWithheld(call.tool(), call.arguments())).isFalse();
    }

    @Test
    void restoringGivesBackTheCallAsTheAgentSentIt() {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);

        Map<String, Object> restored = WithheldContent.restore(call.tool(), split.arguments(),
                split.values());
        assertThat(call.tool().validate(restored)).isEqualTo(call);
    }

    @Test
    void bodiesAndLineCommentsAreWithheldWhileTitlesAndLabelsStayInTheClear() {
        ValidatedCall issue = TOOLS.validate("create_issue", Map.of("owner", "o", "repo", "r",
                "title", "Crash on start", "body", "Steps:\n1. run", "labels", List.of(
                        "bug")));
        WithheldContent.Split split = WithheldContent.split(issue);
        assertThat(split.values()).containsOnlyKeys("/body");
        assertThat(split.arguments()).containsEntry("title", "Crash on start").containsEntry(
                "labels", List.of("bug"));

        ValidatedCall review = TOOLS.validate("create_pending_review", Map.of("owner", "o",
                "repo", "r", "pull_number", 3, "body", "Two nits", "comments", List.of(Map.of(
                        "path", "a.txt", "line", 2, "body", "typo"),
                        Map.of("path", "b.txt",
                                "line", 9, "body", "typo"))));
        assertThat(WithheldContent.split(review).values()).containsOnlyKeys("/body",
                "/comments/0/body", "/comments/1/body");
    }

    @Test
    void readsAndCallsWithoutContentWithholdNothing() {
        ValidatedCall read = TOOLS.validate("get_file", Map.of("owner", "o", "repo", "r", "path",
                "README.md"));
        assertThat(WithheldContent.split(read).withheld()).isFalse();
        assertThat(WithheldContent.split(read).arguments()).isEqualTo(read.arguments());
        ValidatedCall noBody = TOOLS.validate("create_issue", Map.of("owner", "o", "repo", "r",
                "title", "t"));
        assertThat(WithheldContent.split(noBody).withheld()).isFalse();
    }

    @Test
    void everyToolThatTakesABodyOrAFileWithholdsIt() {
        // a new write tool with free text to send must declare it as content, or it is kept
        for (ToolDefinition tool : TOOLS.tools()) {
            for (String name : textNames(tool.params())) {
                assertThat(name).as(tool.name() + " declares free text " + name
                        + " as text, not content").isNotIn("body", "content", "summary");
            }
        }
    }

    private static List<String> textNames(List<Param> params) {
        List<String> names = new ArrayList<>();
        for (Param param : params) {
            switch (param) {
                case Param.Str str when str.format() == Param.Format.TEXT -> names.add(str.name());
                case Param.Obj obj -> names.addAll(textNames(obj.fields()));
                case Param.Arr arr -> names.addAll(textNames(List.of(arr.items())));
                default -> {
                }
            }
        }
        return names;
    }

    @Test
    void anAgentCannotPassItsOwnProofAsContent() {
        String proof = WithheldContent.proofOf("something else");
        ValidatedCall call = TOOLS.validate("comment_on_issue", Map.of("owner", "o", "repo", "r",
                "issue_number", 1, "body", proof));
        assertThatThrownBy(() -> WithheldContent.split(call)).isInstanceOf(
                InvalidArgumentException.class).hasMessageContaining("body").hasMessageContaining(
                        "only the gateway writes");
        // nor as base64 a file that is not: only a withheld value skips that check
        assertThatThrownBy(() -> WithheldContent.split(TOOLS.validate("push_files", Map.of(
                "owner", "o", "repo", "r", "branch", "agent-x", "message", "m", "files", List
                        .of(Map.of("path", "a.bin", "content", proof, "encoding", "base64"))))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "files[0].content");
    }

    @Test
    void aValueThatDoesNotMatchItsProofIsRefused() {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);
        Map<String, String> tampered = new TreeMap<>(split.values());
        tampered.put("/files/0/content", "rm -rf /\n");

        assertThatThrownBy(() -> WithheldContent.restore(call.tool(), split.arguments(),
                tampered)).isInstanceOf(WithheldContent.MismatchException.class)
                .hasMessageContaining("/files/0/content").hasMessageContaining("does not match")
                .hasMessageNotContaining("rm -rf");
    }

    @Test
    void aMissingOrLeftOverValueIsRefused() {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);
        Map<String, String> missing = new HashMap<>(split.values());
        missing.remove("/files/1/content");
        assertThatThrownBy(() -> WithheldContent.restore(call.tool(), split.arguments(),
                missing)).hasMessageContaining("/files/1/content has no withheld value");

        Map<String, String> extra = new HashMap<>(split.values());
        extra.put("/files/2/content", "more");
        assertThatThrownBy(() -> WithheldContent.restore(call.tool(), split.arguments(), extra))
                .hasMessageContaining("withheld values for no argument: [/files/2/content]");
    }

    @Test
    void contentInTheClearBesideWithheldContentIsRefused() {
        ValidatedCall call = push();
        WithheldContent.Split split = WithheldContent.split(call);
        // a request whose arguments mix proofs and plain content was not made by the gateway
        Map<String, Object> mixed = new TreeMap<>(split.arguments());
        @SuppressWarnings("unchecked")
        List<Object> files = new ArrayList<>((List<Object>) mixed.get("files"));
        @SuppressWarnings("unchecked")
        Map<String, Object> first = new TreeMap<>((Map<String, Object>) files.get(0));
        first.put("content", "in the clear");
        files.set(0, first);
        mixed.put("files", files);
        assertThatThrownBy(() -> WithheldContent.restore(call.tool(), mixed, split.values()))
                .hasMessageContaining("/files/0/content was not withheld");
    }

    @Test
    void onlyTheGatewaysProofShapeReadsAsAProof() {
        assertThat(WithheldContent.isProof(WithheldContent.proofOf(""))).isTrue();
        assertThat(WithheldContent.isProof("[withheld sha256:" + "A".repeat(64) + " bytes:1]"))
                .isFalse();
        assertThat(WithheldContent.isProof("[withheld sha256:" + "a".repeat(64) + " bytes:01]"))
                .isFalse();
        assertThat(WithheldContent.isProof(WithheldContent.proofOf("x") + "\n")).isFalse();
        assertThat(WithheldContent.isProof(null)).isFalse();
    }
}
