package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 11: no one agent can starve the rest: not by one large answer, nor by calls GitHub
 * keeps failing, nor by a flood of bad credentials. A 1 MB binary file's answer (1.33 MB in
 * base64) does not fit a Kafka record: it must come back as a final
 * {@code result_too_large} that says how to ask for less, and it must not hold the executor's
 * partition: a hundred small calls on the same installation right behind it, by the same agent
 * and by another, are all answered. An agent whose calls GitHub keeps failing is paused by a
 * circuit breaker of its own, not its installation's or its host's. Wrong admin keys and forged
 * gateway tokens flooding in from one address are throttled there, and the admin's own key is
 * never refused because of them. A burst of one agent's writes to an installation (paced a second
 * apart, as GitHub asks) delays another agent's write there by a slot or two, not by the burst.
 */
@ExtendWith(Standalone.Extension.class)
class NoOneAgentCanStarveTheRestTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final Standalone tollgate;

    NoOneAgentCanStarveTheRestTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void aBurstOfWritesDelaysAnotherAgentsWriteOnTheSameInstallationByASlotNotByTheBurst()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int burst = 12; // under the 16 writes one agent may have waiting per installation
        ExecutorService pool = Executors.newFixedThreadPool(burst);
        Map<String, Object> patientAnswer;
        int performedBefore;
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"));
                Standalone.Agent patient = tollgate.agent(tollgate.mint("patient-writer"))) {
            List<Future<Map<String, Object>>> flood = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                String title = "burst-" + run + "-" + i;
                flood.add(pool.submit(() -> writer.settle("create_issue", Map.of("owner", "acme",
                        "repo", "app", "title", title), SETTLE)));
            }
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (issuesTitled("burst-" + run).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            performedBefore = issuesTitled("burst-" + run).size();
            assertThat(performedBefore).as("the burst's writes GitHub had seen when the other "
                    + "agent wrote (at 1 s per write, a fair slot leaves room)").isBetween(1,
                            burst / 2);
            patientAnswer = patient.settle("create_issue", Map.of("owner", "acme", "repo", "app",
                    "title", "patient-" + run), SETTLE);
            for (Future<Map<String, Object>> write : flood) {
                assertThat(write.get(3, TimeUnit.MINUTES)).containsEntry("status", "succeeded");
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(patientAnswer).as("%s", patientAnswer).containsEntry("status", "succeeded");
        List<String> order = issuesTitled(run);
        int burstBefore = order.indexOf("patient-" + run);
        assertThat(burstBefore).as("writes of the burst GitHub performed before the other "
                + "agent's, of %d (%d already done when it asked): %s", burst, performedBefore,
                order).isBetween(performedBefore, performedBefore + 3);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /** Titles of the issues GitHub was asked to create that contain {@code marker}, in order. */
    private List<String> issuesTitled(String marker) {
        return tollgate.github().requests("POST", "/repos/acme/app/issues").stream().map(
                received -> received.json().path("title").asString("")).filter(
                        title -> title
                                .contains(marker))
                .toList();
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

    @Test
    void anAgentWhoseCallsGitHubFailsIsPausedAloneAndOthersOnItsInstallationGoOn()
            throws Exception {
        String flaky = "/repos/acme/app/contents/docs/flaky-" + UUID.randomUUID() + ".md";
        for (int attempt = 0; attempt < 12; attempt++) {
            tollgate.github().script("GET", flaky, GitHubStandIn.serverError(500));
        }
        List<Map<String, Object>> failed = new ArrayList<>();
        Map<String, Object> paused;
        int reachedGitHub;
        try (Standalone.Agent noisy = tollgate.agent(tollgate.mint("noisy"))) {
            for (int call = 0; call < 3; call++) {
                failed.add(noisy.settle("get_file", Map.of("owner", "acme", "repo", "app",
                        "path", flaky.substring("/repos/acme/app/contents/".length())), SETTLE));
            }
            reachedGitHub = tollgate.github().requests("GET", flaky).size();
            paused = noisy.settle("get_file", Map.of("owner", "acme", "repo", "app", "path",
                    "README.md"), SETTLE);
        }

        assertThat(failed).as("the noisy agent's failing calls").allSatisfy(
                answer -> assertThat(answer).as("%s", answer).containsEntry("status", "failed"));
        assertThat(reachedGitHub).as("its attempts until its breaker opened (10 calls at 50%%"
                + " failures)").isBetween(10, 12);
        assertThat(paused).as("its next call, on another file: %s", paused).containsEntry(
                "error_code", "upstream_unavailable").containsEntry("retryable", true)
                .containsKey("retry_at");
        assertThat((String) paused.get("message")).contains("other agents' calls go on");
        assertThat(tollgate.github().requests("GET", flaky)).as(
                "nothing more reached GitHub for it").hasSize(reachedGitHub);
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            assertThat(reader.call("get_file", Map.of("owner", "acme", "repo", "app", "path",
                    "README.md"))).as("another agent on the same installation").containsEntry(
                            "status", "succeeded");
        }
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void aFloodOfWrongAdminKeysAndForgedTokensFromOneAddressLocksNoOneOut() {
        String attacker = "127.0.0.2";
        List<Integer> guesses = new ArrayList<>();
        List<Integer> forgeries = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            guesses.add(tollgate.postFrom(attacker, "/admin/tokens", "guess-" + i
                    + "-0123456789abcdef0123456789abcdef",
                    "{\"agent\":\"x\",\"environment\":"
                            + "\"dev\"}")
                    .status());
            forgeries.add(tollgate.postFrom(attacker, "/mcp", "tg_forged." + i
                    + ".0123456789abcdef",
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                            + "\"tools/list\"}")
                    .status());
        }
        Standalone.RawAnswer adminFromTheAttackersAddress = tollgate.postFrom(attacker,
                "/admin/tokens", Standalone.ADMIN_KEY,
                "{\"agent\":\"canary\",\"environment\":\"dev\",\"expires-in\":900}");

        assertThat(guesses).as("wrong admin keys: refused, then throttled").containsOnly(401,
                429).contains(429);
        assertThat(forgeries).as("forged gateway tokens").allMatch(status -> status == 401
                || status == 429);
        assertThat(adminFromTheAttackersAddress.status()).as(
                "the admin's key from the flooding address is never throttled by the flood: %s",
                adminFromTheAttackersAddress.text()).isEqualTo(200);
        assertThat(tollgate.mint("canary")).as("the admin elsewhere").isNotBlank();
        tollgate.assertTheCanaryIsStillAnswered();
    }
}
