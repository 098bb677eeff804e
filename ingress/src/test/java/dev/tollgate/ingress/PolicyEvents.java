package dev.tollgate.ingress;

import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.GrantEvents;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Policy events as a decision worker publishes them on gateway.policy, for the ingress's tests. */
final class PolicyEvents {

    private PolicyEvents() {
    }

    /**
     * Publishes a load of policy {@code version} from {@code source} with {@code grants} (null:
     * an event without grants, as an older decision worker sends).
     */
    static void publish(String source, String version, List<ToolGrant> grants) {
        PolicyChanged event = PolicyChanged.newBuilder().setMeta(EventMeta.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setProducer(Roles.DECISION_WORKER).build()).setAction(PolicyAction.LOADED)
                .setSource(source).setPolicyVersion(version).setRuleCount(grants == null
                        ? 0
                        : grants.size())
                .setGrants(grants == null ? null : GrantEvents.toEvent(grants))
                .build();
        try (KafkaProducer<String, PolicyChanged> producer = new KafkaProducer<>(KafkaTestBroker
                .get().producerProps(), new StringSerializer(), new EventSerializer<>())) {
            producer.send(new ProducerRecord<>(Topics.POLICY.name(), event.getSource(), event))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish the policy event", e);
        }
    }

    /** A grant of {@code tools} on octo/app to {@code agent}, in every environment. */
    static ToolGrant grant(String agent, Set<Tool> tools) {
        return new ToolGrant("grant for " + agent, List.of(List.of(), List.of(Glob.of(agent))),
                List.of(List.of(), List.of()), List.of("octo/app"), tools, false);
    }
}
