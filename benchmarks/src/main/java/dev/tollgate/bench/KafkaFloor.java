package dev.tollgate.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The floor every gateway call stands on: one Kafka hop, produce then consume on the same broker,
 * with the request path's producer settings (acks=all, idempotent, linger.ms=0). A gateway call
 * makes three such hops (request, decision, result).
 */
public final class KafkaFloor {

    private KafkaFloor() {
    }

    /**
     * @param client the bootstrap address and whatever authentication the cluster needs: a
     *        principal that may create, write, read and delete the {@code bench.ping.*} topic
     */
    public static LatencyStats measure(Map<String, Object> client, int messages,
            int payloadBytes) throws Exception {
        String topic = "bench.ping." + UUID.randomUUID();
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30,
                    TimeUnit.SECONDS);
        }
        Map<String, Object> producerConfig = producerConfig(client);
        Map<String, Object> consumerConfig = consumerConfig(client);
        TopicPartition partition = new TopicPartition(topic, 0);
        byte[] payload = new byte[payloadBytes];
        long[] latencies = new long[messages];
        int errors = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig,
                new ByteArraySerializer(), new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            for (int warm = 0; warm < Math.min(200, messages); warm++) {
                roundTrip(producer, consumer, topic, payload);
            }
            long started = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                long latency = roundTrip(producer, consumer, topic, payload);
                if (latency < 0) {
                    errors++;
                } else {
                    latencies[i - errors] = latency;
                }
            }
            long elapsed = System.nanoTime() - started;
            return LatencyStats.of("kafka hop (produce->consume)", java.util.Arrays.copyOf(
                    latencies, messages - errors), errors, elapsed);
        } finally {
            try (Admin admin = Admin.create(client)) {
                admin.deleteTopics(List.of(topic));
            }
        }
    }

    /** {@code client} with the request path's producer settings: acks=all, idempotent, no linger. */
    static Map<String, Object> producerConfig(Map<String, Object> client) {
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.putAll(Map.of("acks", "all", "enable.idempotence", true, "linger.ms", 0));
        return config;
    }

    /** {@code client} with a consumer that returns as soon as a record comes. */
    static Map<String, Object> consumerConfig(Map<String, Object> client) {
        Map<String, Object> config = new java.util.HashMap<>(client);
        config.putAll(Map.of("fetch.min.bytes", 1, "fetch.max.wait.ms", 100));
        return config;
    }

    private static long roundTrip(KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> consumer, String topic, byte[] payload) {
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, payload));
        long deadline = sent + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(50))) {
                return System.nanoTime() - sent;
            }
        }
        return -1;
    }
}
