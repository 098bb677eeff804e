package dev.tollgate.runtime.proofs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.WithheldContent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ContentProofsTest {

    @Test
    void contentsPatchesLogsAndLargeStringsBecomeTheirDigestAndTheRestStays() throws Exception {
        String large = "é".repeat(ContentProofs.LARGE_CHARS + 1);
        String json = "{\"path\":\"a.md\",\"content\":\"hi\",\"files\":[{\"patch\":\"@@ -1 +1 @@\"}],"
                + "\"log\":\"ok\",\"body\":\"" + large + "\",\"title\":\"short\",\"n\":3}";

        String digested = ContentProofs.digestJson(json).orElseThrow();

        assertThat(digested).contains("\"path\":\"a.md\"", "\"title\":\"short\"", "\"n\":3")
                .contains("\"content\":{\"sha256\":\"" + sha256("hi") + "\",\"bytes\":2}")
                .contains("\"patch\":{\"sha256\":\"" + sha256("@@ -1 +1 @@") + "\",\"bytes\":11}")
                .contains("\"body\":{\"sha256\":\"" + sha256(large) + "\",\"bytes\":"
                        + large.getBytes(StandardCharsets.UTF_8).length + "}")
                .doesNotContain("\"hi\"", "é");
    }

    @Test
    void aProofIsLeftAsItIsSoDigestingTwiceChangesNothing() {
        String once = ContentProofs.digestJson("{\"content\":\"secret\",\"contents\":[\"a\","
                + "\"b\"]}").orElseThrow();

        assertThat(ContentProofs.digestJson(once)).contains(once);
    }

    @Test
    void theProofTheIngressLeftOfAPushedFileIsKeptAsItIsNotDigestedAgain() {
        // a proof of a proof would prove nothing about the file
        String proof = WithheldContent.proofOf("the file as pushed");
        String kept = ContentProofs.digestJson("{\"files\":[{\"path\":\"a.txt\",\"content\":\""
                + proof + "\"}]}").orElseThrow();
        assertThat(kept).contains(proof);
    }

    @Test
    void textThatIsNotJsonIsDigestedOnlyWhenLarge() {
        assertThat(ContentProofs.digestJson("not json {")).isEmpty();
        assertThat(ContentProofs.digestJson("")).isEmpty();
        assertThat(ContentProofs.digestIfLarge("short text")).isEmpty();
        assertThat(ContentProofs.digestText("short text")).isEqualTo("short text");
        assertThat(ContentProofs.digestText(null)).isNull();
        assertThat(ContentProofs.digestText("x".repeat(ContentProofs.LARGE_CHARS + 1)))
                .startsWith("{\"sha256\":");
        assertThat(ContentProofs.digestText("{\"content\":\"a\"}")).contains("sha256");
        assertThat(ContentProofs.digestIfLarge("x".repeat(ContentProofs.LARGE_CHARS + 1)))
                .hasValueSatisfying(proof -> assertThat(proof.get("bytes").asInt()).isEqualTo(
                        ContentProofs.LARGE_CHARS + 1));
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(
                StandardCharsets.UTF_8)));
    }
}
