package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 11: no one agent can starve the rest, here by one large answer. A 1 MB binary file's
 * answer (1.33 MB in base64) does not fit a Kafka record: it must come back as a final
 * {@code result_too_large} that says how to ask for less, and it must not hold the executor's
 * partition: a hundred small calls on the same installation right behind it, by the same agent
 * and by another, are all answered.
 */
@ExtendWith(Standalone.Extension.class)
class NoOneAgentCanStarveTheRestTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final Standalone tollgate;

    NoOneAgentCanStarveTheRestTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void aOneMegabyteBinaryReadIsAnsweredTooLargeAndAHundredSmallCallsBehindItAreAnswered()
            throws Exception {
        long largeReads = tollgate.github().requests("GET",
                "/repos/acme/app/contents/models/weights.bin").size();
        List<Map<String, Object>> answers = new ArrayList<>();
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"));
                Standalone.Agent canary = tollgate.agent(tollgate.mint("canary"))) {
            Map<String, Object> large = reader.settle("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", "models/weights.bin"), SETTLE);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Map<String, Object>>> small = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Standalone.Agent who = i % 2 == 0 ? reader : canary;
                    String path = i % 3 == 0 ? "src/Main.java" : "README.md";
                    small.add(pool.submit(() -> who.settle("get_file", Map.of("owner", "acme",
                            "repo", "app", "path", path), SETTLE)));
                }
                for (Future<Map<String, Object>> answer : small) {
                    answers.add(answer.get(3, TimeUnit.MINUTES));
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(large.get("status")).as("the large read's answer: %s", large).isEqualTo(
                    "failed");
            assertThat(large.get("error_code")).as(large.toString()).isEqualTo(
                    "result_too_large");
            assertThat((String) large.get("message")).as("it says how to ask for less")
                    .containsIgnoringCase("bytes");
            assertThat(large.get("retryable")).isEqualTo(false);
        }
        assertThat(answers).as("the hundred small calls' answers").hasSize(100).allSatisfy(
                answer -> assertThat(answer.get("status")).as("%s", answer).isEqualTo(
                        "succeeded"));
        assertThat(tollgate.github().requests("GET",
                "/repos/acme/app/contents/models/weights.bin")).as(
                        "the large file was read from GitHub once, not again and again")
                .hasSize((int) largeReads + 1);
        tollgate.assertTheCanaryIsStillAnswered();
    }
}
