package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import dev.tollgate.executor.core.AnswerLimit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ContentsToolsTest extends HarnessTest {

    @Test
    void getFileReturnsDecodedContentWithATokenForContentsReadOnThatRepositoryOnly() {
        hello.files.put("src/main.c", "int main() { return 0; }\n");

        JsonNode file = result(run(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"src/main.c\"}")));

        assertThat(file.path("content").asString()).isEqualTo("int main() { return 0; }\n");
        assertThat(file.path("path").asString()).isEqualTo("src/main.c");
        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.repositories()).containsExactly("hello");
            assertThat(mint.permissions()).isEqualTo(Map.of("contents", "read"));
        });
        GitHubStandIn.Received get = github.requests("GET", "/repos/octo/hello/contents").get(0);
        assertThat(get.headers()).containsEntry("Accept", "application/vnd.github+json")
                .containsEntry("X-GitHub-Api-Version", "2022-11-28").containsKey("User-Agent");
    }

    @Test
    void aSymbolicLinkToAnotherFileIsRefusedWithoutItsTargetsContent() {
        hello.files.put("secrets/prod.yml", "password: hunter2\n");
        hello.symlinks.put("docs/config.yml", "secrets/prod.yml");

        ToolCallCompleted viaTool = run(harness.decision("get_file", getFile("docs/config.yml",
                "")));
        ToolCallCompleted viaPassthrough = run(harness.decision("github_api_get",
                "{\"path\":\"/repos/octo/hello/contents/docs/config.yml\"}"));

        assertThat(List.of(viaTool, viaPassthrough)).allSatisfy(completed -> {
            assertThat(completed.getStatus()).isEqualTo(CallStatus.FAILED);
            assertThat(completed.getErrorCode()).isEqualTo("forbidden");
            assertThat(completed.getMessage()).contains("symbolic link to secrets/prod.yml")
                    .doesNotContain("hunter2");
            assertThat(String.valueOf(completed.getResultJson())).doesNotContain("hunter2");
        });
    }

    @Test
    void readRepoReturnsTrimmedMetadataAndTheTopLevelListing() {
        hello.files.put("README.md", "hi");

        JsonNode repo = result(run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}")));

        assertThat(repo.path("full_name").asString()).isEqualTo("octo/hello");
        assertThat(repo.path("default_branch").asString()).isEqualTo("main");
        assertThat(repo.has("node_id")).isFalse();
        assertThat(repo.path("entries").get(0).path("name").asString()).isEqualTo("README.md");
        assertThat(repo.path("entries").get(0).has("_links")).isFalse();
    }
    /** An executor whose answers may take at most {@code bytes}: files of a few hundred KB do. */
    private ToolCallCompleted runLimited(int bytes, PolicyDecided decision) {
        return harness.executor().limitedBy(new AnswerLimit(bytes), null).execute(decision);
    }

    private static String getFile(String path, String range) {
        return "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"" + path + "\"" + range
                + "}";
    }

    @Test
    void getFileReturnsTheLinesAskedForAndHowManyTheFileHas() {
        hello.files.put("four.txt", "one\ntwo\r\nthree\nfour");

        JsonNode middle = result(run(harness.decision("get_file", getFile("four.txt",
                ",\"start_line\":2,\"end_line\":3"))));
        JsonNode tail = result(run(harness.decision("get_file", getFile("four.txt",
                ",\"start_line\":3,\"end_line\":99"))));
        JsonNode head = result(run(harness.decision("get_file", getFile("four.txt",
                ",\"end_line\":1"))));

        assertThat(middle.path("content").asString()).isEqualTo("two\r\nthree\n");
        assertThat(middle.path("start_line").asLong()).isEqualTo(2);
        assertThat(middle.path("end_line").asLong()).isEqualTo(3);
        assertThat(middle.path("total_lines").asLong()).isEqualTo(4);
        assertThat(tail.path("content").asString()).isEqualTo("three\nfour");
        assertThat(tail.path("end_line").asLong()).isEqualTo(4);
        assertThat(head.path("content").asString()).isEqualTo("one\n");
        assertThat(head.path("start_line").asLong()).isEqualTo(1);
    }

    @Test
    void aLineRangePastTheEndOrOfABinaryFileIsRefusedSayingWhy() {
        hello.files.put("four.txt", "1\n2\n3\n4\n");
        hello.binaryFiles.put("logo.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', (byte) 0xff});

        ToolCallCompleted past = run(harness.decision("get_file", getFile("four.txt",
                ",\"start_line\":5")));
        ToolCallCompleted binary = run(harness.decision("get_file", getFile("logo.png",
                ",\"start_line\":1")));

        assertThat(past.getErrorCode()).isEqualTo("validation_failed");
        assertThat(past.getMessage()).contains("start_line 5 is past the end", "has 4 lines");
        assertThat(binary.getErrorCode()).isEqualTo("validation_failed");
        assertThat(binary.getMessage()).contains("apply to text files", "binary (5 bytes)");
    }

    @Test
    void aTextFileTooLargeForAnAnswerIsResultTooLargeNamingARangeThatFits() {
        StringBuilder text = new StringBuilder();
        for (int line = 1; line <= 5000; line++) {
            text.append(String.format("line %05d of a file too large for one answer ......%n",
                    line));
        }
        hello.files.put("big.log", text.toString());

        ToolCallCompleted whole = runLimited(200_000, harness.decision("get_file", getFile(
                "big.log", "")));
        java.util.regex.Matcher fits = java.util.regex.Pattern.compile("lines 1-(\\d+) fit")
                .matcher(whole.getMessage());
        assertThat(fits.find()).as(whole.getMessage()).isTrue();
        long last = Long.parseLong(fits.group(1));
        ToolCallCompleted part = runLimited(200_000, harness.decision("get_file", getFile(
                "big.log", ",\"start_line\":1,\"end_line\":" + last)));

        assertThat(whole.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(whole.getErrorCode()).isEqualTo("result_too_large");
        assertThat(whole.getRetryable()).isFalse();
        assertThat(whole.getMessage()).contains("5000 lines", text.length() + " bytes of text",
                "start_line and end_line");
        assertThat(last).isBetween(1000L, 4999L);
        assertThat(result(part).path("total_lines").asLong()).isEqualTo(5000);
        assertThat(result(part).path("content").asString()).endsWith(String.format(
                "line %05d of a file too large for one answer ......%n", last));
        assertThat(AnswerLimit.sizeOf(part)).isLessThanOrEqualTo(200_000);
        assertThat(AnswerLimit.sizeOf(whole)).isLessThanOrEqualTo(200_000);
    }

    @Test
    void textOfCharactersThatEscapeIsMeasuredAsTheJsonKafkaCarriesNotAsCharacters() {
        hello.files.put("controls.bin.txt", "\u0001\"".repeat(30_000)); // 60,000 characters
        hello.files.put("euros.txt", "\u20ac".repeat(60_000)); // 60,000 characters, 180,000 bytes
        hello.files.put("few-euros.txt", "\u20ac".repeat(50_000));

        ToolCallCompleted controls = runLimited(160_000, harness.decision("get_file", getFile(
                "controls.bin.txt", "")));
        ToolCallCompleted euros = runLimited(160_000, harness.decision("get_file", getFile(
                "euros.txt", "")));
        ToolCallCompleted fewEuros = runLimited(160_000, harness.decision("get_file", getFile(
                "few-euros.txt", "")));

        assertThat(controls.getErrorCode()).as(controls.getMessage()).isEqualTo(
                "result_too_large");
        assertThat(controls.getMessage()).containsPattern("is (2[4-9]\\d|3\\d\\d)\\d{3} bytes as"
                + " JSON"); // \\u0001 is 6 bytes, \\" is 2: 240,000 and more
        assertThat(euros.getErrorCode()).isEqualTo("result_too_large");
        assertThat(result(fewEuros).path("content").asString()).hasSize(50_000);
        assertThat(AnswerLimit.sizeOf(fewEuros)).isLessThanOrEqualTo(160_000);
    }

    @Test
    void aOneMegabyteBinaryIsResultTooLargeSayingWhatItIsAndTheLimit() {
        byte[] binary = new byte[1_000_000];
        new java.util.Random(7).nextBytes(binary);
        binary[0] = (byte) 0xff; // never valid UTF-8
        hello.binaryFiles.put("model.bin", binary);

        ToolCallCompleted answer = run(harness.decision("get_file", getFile("model.bin", "")));

        assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(answer.getErrorCode()).isEqualTo("result_too_large");
        assertThat(answer.getMessage()).contains("binary file of 1000000 bytes",
                "line ranges apply only to text files").containsPattern(
                        "at most \\d{6,7} bytes of result");
        assertThat(AnswerLimit.sizeOf(answer)).isLessThan(4096);
    }
}
