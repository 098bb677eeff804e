package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every event type through a real broker, with the real serde and the real headers. */
@WithKafka
class EventRoundTripIntegrationTest {

    @BeforeAll
    static void createTopics(KafkaTestBroker broker) {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics.all());
        }
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyEventTypeRoundTripsOnItsTopicWithHeaders(KafkaTestBroker broker) throws Exception {
        List<SpecificRecord> samples = SampleEvents.everyType();
        String key = KafkaTestBroker.uniqueName("key");
        List<RecordMetadata> written = new ArrayList<>();
        Map<String, Object> producerProps = broker.producerProps();

        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(producerProps,
                Topics.REQUESTS.keySerde().serializer(), new EventSerializer<>())) {
            for (SpecificRecord event : samples) {
                Topic<?> topic = topicFor(event);
                ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(topic.name(),
                        0, key, event);
                TollgateHeaders.put(record.headers(), TollgateHeaders.REQUEST_ID, "req-1");
                TollgateHeaders.put(record.headers(), TollgateHeaders.REPLY_TOPIC,
                        Topics.RESULTS.name());
                TollgateHeaders.putInt(record.headers(), TollgateHeaders.REPLY_PARTITION, 3);
                TollgateHeaders.put(record.headers(), TollgateHeaders.TRACEPARENT,
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                written.add(producer.send(record).get());
            }
        }

        for (int i = 0; i < samples.size(); i++) {
            SpecificRecord event = samples.get(i);
            Topic topic = topicFor(event);
            try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(broker
                    .consumerProps(KafkaTestBroker.uniqueName("rt")),
                    topic.keySerde()
                            .deserializer(),
                    topic.valueSerde().deserializer())) {
                TopicPartition partition = new TopicPartition(topic.name(), 0);
                consumer.assign(List.of(partition));
                consumer.seek(partition, written.get(i).offset());
                ConsumerRecord<String, SpecificRecord> received = pollOne(consumer);

                assertThat(received.key()).isEqualTo(key);
                assertThat(received.value()).isEqualTo(event);
                assertThat(TollgateHeaders.get(received.headers(), TollgateHeaders.REQUEST_ID))
                        .contains("req-1");
                assertThat(TollgateHeaders.getInt(received.headers(),
                        TollgateHeaders.REPLY_PARTITION)).contains(3);
                assertThat(TollgateHeaders.get(received.headers(), TollgateHeaders.TRACEPARENT))
                        .hasValueSatisfying(v -> assertThat(v).startsWith("00-4bf92f35"));
                assertThat(TollgateHeaders.get(received.headers(), TollgateHeaders.EVENT_TYPE))
                        .contains(event.getSchema().getName());
            }
        }
    }

    @Test
    void aGenericConsumerDecodesEveryTypeFromOneStream(KafkaTestBroker broker) throws Exception {
        String topic = KafkaTestBroker.uniqueName("mixed");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1,
                    (short) 1))).all().get();
        }
        List<SpecificRecord> samples = SampleEvents.everyType();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                .producerProps(), Topics.REQUESTS.keySerde().serializer(),
                new EventSerializer<>())) {
            for (SpecificRecord event : samples) {
                producer.send(new ProducerRecord<>(topic, event.getSchema().getName(), event))
                        .get();
            }
        }

        List<SpecificRecord> received = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("generic")),
                Topics.REQUESTS.keySerde()
                        .deserializer(),
                new EventDeserializer<>())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < SampleEvents.everyType().size()
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
            }
        }

        assertThat(received).containsExactlyElementsOf(samples);
    }

    private static Topic<?> topicFor(SpecificRecord event) {
        return Topics.all().stream().filter(t -> t.valueType().equals(event.getClass()))
                .findFirst().orElseThrow();
    }

    private static <K, V> ConsumerRecord<K, V> pollOne(KafkaConsumer<K, V> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                return records.iterator().next();
            }
        }
        throw new AssertionError("no record arrived within 30 s");
    }
}
