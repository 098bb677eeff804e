package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.WithKafka;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Nobody names their own address: on Kubernetes (which Spring Boot detects from the environment,
 * set here with spring.main.cloud-platform) Spring Boot would believe X-Forwarded-For from every
 * private address, so a pod guessing the admin key could name itself a new client with each
 * guess and never be throttled. With no trusted proxy configured the client is the peer.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "spring.main.cloud-platform=kubernetes",
        "tollgate.ingress.rate-limit.admin-limit-for-period=2",
        "tollgate.ingress.rate-limit.admin-period=1h"})
class ForwardedAddressIntegrationTest {

    @LocalServerPort
    int port;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    static RawHttp.Answer guess(int port, String from, String forwardedFor, String key) {
        return RawHttp.adminMint(port, from, forwardedFor, key, "x");
    }

    @Test
    void aGuesserThatNamesANewAddressWithEveryGuessIsStillThrottled() {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            statuses.add(guess(port, "127.0.0.4", "10.9.0." + (i + 1), "guess-" + i
                    + "-0123456789abcdef0123456789").status());
        }

        assertThat(statuses).as("each guess claimed another X-Forwarded-For").containsExactly(
                401, 401, 429, 429, 429, 429);
        assertThat(guess(port, "127.0.0.5", null, "a-wrong-key-0123456789abcdef0123456")
                .status()).as("another peer is not throttled by it").isEqualTo(401);
    }
}
