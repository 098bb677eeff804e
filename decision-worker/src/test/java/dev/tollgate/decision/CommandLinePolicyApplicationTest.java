package dev.tollgate.decision;

import static dev.tollgate.decision.kafka.KafkaFixture.collect;
import static dev.tollgate.decision.kafka.KafkaFixture.request;
import static dev.tollgate.decision.kafka.KafkaFixture.requestIn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.kafka.KafkaFixture;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The running worker takes its policy from service-gator's command-line options (as
 * {@code tollgate run --gh-repo ...} passes them), not only {@code explain}: on the real broker a
 * read of the granted repository is allowed, a write its permissions do not name is denied, and
 * the policy is announced on gateway.policy with its grants like a file's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext // stops this worker, which would otherwise keep deciding other tests' requests
class CommandLinePolicyApplicationTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> KafkaTestBroker.get()
                .bootstrapServers());
        registry.add("tollgate.policy.command-line", () -> "[\"--gh-repo\", "
                + "\"cli-org/app:read,push-new-branch\"]");
        registry.add("tollgate.decision.group-id", () -> KafkaTestBroker.uniqueName("cli"));
        registry.add("tollgate.decision.poll-timeout", () -> "100ms");
        registry.add("tollgate.decision.signing-key-file", KafkaFixture.SIGNING_KEY_FILE::toString);
    }

    @Autowired
    ActivePolicy policy;

    @Test
    void serviceGatorsOptionsAreThePolicyTheWorkerDecidesWith() throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String read = UUID.randomUUID().toString();
        String write = UUID.randomUUID().toString();

        KafkaFixture.send(broker, List.of(request(read, "bot", "get_file", "cli-org", "app",
                "{\"owner\":\"cli-org\",\"repo\":\"app\",\"path\":\"README.md\"}"),
                request(write,
                        "bot", "create_issue", "cli-org", "app",
                        "{\"owner\":\"cli-org\",\"repo\":\"app\",\"title\":\"t\"}")));
        List<ConsumerRecord<String, PolicyDecided>> decisions = collect(broker, Topics.DECISIONS,
                requestIn(Set.of(read)), 1);
        List<ConsumerRecord<String, ToolCallCompleted>> denials = collect(broker, Topics.RESULTS,
                requestIn(Set.of(write)), 1);
        List<ConsumerRecord<String, PolicyChanged>> announced = collect(broker, Topics.POLICY,
                record -> ActivePolicy.COMMAND_LINE.equals(record.value().getSource())
                        && record.value().getAction() == PolicyAction.LOADED && policy
                                .description().get().startsWith(record.value()
                                        .getPolicyVersion()),
                1);

        assertThat(policy.description().get()).endsWith("from " + ActivePolicy.COMMAND_LINE);
        assertThat(decisions).singleElement().satisfies(record -> {
            assertThat(record.value().getPermissions()).containsEntry("contents", "read");
            assertThat(KafkaFixture.VERIFIER.refusal(record.value())).isEmpty();
        });
        assertThat(denials).singleElement().satisfies(record -> assertThat(record.value()
                .getMessage()).contains("may not create_issue on cli-org/app"));
        assertThat(announced).singleElement().satisfies(record -> assertThat(record.value()
                .getGrants()).isNotEmpty());
    }
}
