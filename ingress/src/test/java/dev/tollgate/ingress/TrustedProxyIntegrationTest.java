package dev.tollgate.ingress;

import static dev.tollgate.ingress.ForwardedAddressIntegrationTest.guess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.WithKafka;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Behind a proxy the ingress trusts (tollgate.ingress.trusted-proxies, here 127.0.0.6 playing
 * nginx), the client is the address the proxy adds to X-Forwarded-For: failures are throttled per
 * client, not per proxy, and a client cannot escape by writing addresses of its own in front.
 * Anyone else's X-Forwarded-For is ignored.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.trusted-proxies=127.0.0.6",
        "tollgate.ingress.rate-limit.admin-limit-for-period=2",
        "tollgate.ingress.rate-limit.admin-period=1h"})
class TrustedProxyIntegrationTest {

    private static final String PROXY = "127.0.0.6";

    @LocalServerPort
    int port;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    private int wrong(String from, String forwardedFor) {
        return guess(port, from, forwardedFor, "wrong-" + System.nanoTime()
                + "-0123456789abcdef0123456789").status();
    }

    @Test
    void failuresAreThrottledPerClientBehindTheProxyAndNobodyElseIsBelieved() {
        List<Integer> client1 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            client1.add(wrong(PROXY, "10.9.0.1"));
        }
        int client2 = wrong(PROXY, "10.9.0.2");
        int client1Prepending = wrong(PROXY, "10.9.0.77, 10.9.0.1");
        List<Integer> direct = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            direct.add(wrong("127.0.0.7", "10.9.1." + i));
        }
        int adminThroughTheProxyFromTheThrottledClient = guess(port, PROXY, "10.9.0.1",
                TestConfig.ADMIN_KEY).status();

        assertThat(client1).as("one client behind the proxy").containsExactly(401, 401, 429);
        assertThat(client2).as("another client behind the same proxy").isEqualTo(401);
        assertThat(client1Prepending).as("the proxy appends the real client last; what the"
                + " client wrote before it is not believed").isEqualTo(429);
        assertThat(direct).as("a peer that is not a trusted proxy names no other address")
                .containsExactly(401, 401, 429);
        assertThat(adminThroughTheProxyFromTheThrottledClient).as("the right key is never"
                + " throttled").isEqualTo(200);
    }
}
