package dev.tollgate.decision.kafka;

import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.GrantEvents;
import dev.tollgate.schemas.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a PolicyChanged event on {@code gateway.policy} for every load and failed load, keyed
 * by the policy file, so the audit store keeps which policy was in force when. One idempotent
 * producer and one key keep the events in order; sending does not block the reload.
 */
public final class PolicyChangedPublisher implements PolicyListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyChangedPublisher.class);

    private final KafkaProducer<String, PolicyChanged> producer;
    private final EventTranslator translator;

    public PolicyChangedPublisher(Map<String, Object> producerProps, EventTranslator translator) {
        Map<String, Object> props = new HashMap<>(producerProps);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(props, new StringSerializer(),
                new EventSerializer<>());
        this.translator = translator;
    }

    @Override
    public void loaded(Loaded event) {
        PolicyChanged changed = translator.loaded(event);
        if (changed.getGrants() == null && !event.grants().isEmpty()) {
            log.warn("policy {} from {}: its {} grants take more than {} bytes and are not "
                    + "published; every ingress lists every tool to every agent (calls are "
                    + "still decided by the policy)", event.version(), event.source(),
                    event
                            .grants().size(),
                    GrantEvents.MAX_GRANT_BYTES);
        }
        publish(event.source(), changed);
    }

    @Override
    public void failed(Failed event) {
        publish(event.source(), translator.failed(event));
    }

    private void publish(String source, PolicyChanged event) {
        producer.send(new ProducerRecord<>(Topics.POLICY.name(), source, event), (metadata,
                error) -> {
            if (error != null) {
                log.error("could not publish PolicyChanged {} for {} to {}: {}", event
                        .getAction(), source, Topics.POLICY.name(), error.getMessage());
            }
        });
    }

    /** Waits until every event sent so far is acknowledged (or failed). */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
