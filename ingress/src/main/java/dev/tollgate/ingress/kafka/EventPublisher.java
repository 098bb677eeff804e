package dev.tollgate.ingress.kafka;

import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ingress's one producer: idempotent, {@code acks=all}, {@code linger.ms=0} unless configured
 * ({@code spring.kafka.producer.properties.linger.ms}: the request path waits on it), bounded
 * blocking. Writes only topics the catalogue lets the ingress write.
 */
public final class EventPublisher implements AutoCloseable {

    /** Thrown when Kafka did not acknowledge a record in time. */
    public static final class PublishFailedException extends Exception {

        private static final long serialVersionUID = 1L;

        public PublishFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Producer<String, SpecificRecord> producer;

    public EventPublisher(Map<String, Object> baseProperties) {
        Map<String, Object> props = new HashMap<>(baseProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-ingress");
        this.producer = new KafkaProducer<>(props, new StringSerializer(),
                new EventSerializer<>());
    }

    /** Sends and returns the broker's acknowledgement. */
    public <V extends SpecificRecord> CompletableFuture<RecordMetadata> send(Topic<V> topic,
            String key, V event, Consumer<Headers> headers) {
        ProducerRecord<String, SpecificRecord> record = new ProducerRecord<>(topic.name(), key,
                event);
        headers.accept(record.headers());
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    /** Sends and waits for the acknowledgement. */
    public <V extends SpecificRecord> RecordMetadata publish(Topic<V> topic, String key, V event,
            Consumer<Headers> headers, Duration timeout) throws PublishFailedException {
        try {
            return send(topic, key, event, headers).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new PublishFailedException("Kafka did not accept the " + topic.name()
                    + " record: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishFailedException("Kafka did not acknowledge the " + topic.name()
                    + " record within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while publishing to " + topic.name(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
