package dev.tollgate.ingress;

import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads what is on a topic right now, from the beginning to the current end. */
public final class KafkaProbe {

    private KafkaProbe() {
    }

    /** Creates every catalogued topic (idempotent; the broker is shared by the test JVM). */
    public static void provisionTopics() {
        try (Admin admin = KafkaTestBroker.get().admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics.all());
        }
    }

    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(
            Topic<V> topic) {
        Map<String, Object> props = KafkaTestBroker.get().consumerProps(KafkaTestBroker
                .uniqueName("probe"));
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde()
                .deserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(topic.name(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** Polls until {@code count} records matching {@code filter} are on the topic. */
    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> await(Topic<V> topic,
            Predicate<V> filter, int count) {
        return awaitUntil(topic, filter, matching -> matching.size() >= count);
    }

    /**
     * Polls until the records matching {@code filter} satisfy {@code done}, at most 30 s; the
     * matching records either way (the caller's assertions then say what was seen).
     */
    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> awaitUntil(
            Topic<V> topic, Predicate<V> filter, Predicate<List<ConsumerRecord<String, V>>> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<ConsumerRecord<String, V>> matching = readAll(topic).stream().filter(
                    record -> filter.test(record.value())).toList();
            if (done.test(matching) || System.nanoTime() > deadline) {
                return matching;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return matching;
            }
        }
    }
}
