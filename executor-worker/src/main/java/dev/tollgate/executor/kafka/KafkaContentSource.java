package dev.tollgate.executor.kafka;

import dev.tollgate.events.ContentReference;
import dev.tollgate.events.RequestContent;
import dev.tollgate.executor.core.ContentSource;
import dev.tollgate.executor.core.GitHubSession;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads one request's withheld content from {@code gateway.contents} at the partition and offset
 * its request names: a consumer of its own, assigned and positioned per read, in no consumer group
 * (it commits nothing). The record must be that request's (its key and its meta say so); the
 * executor then checks every value against its proof. One read at a time per executor replica:
 * writes are paced per installation, and a read is one fetch.
 */
public final class KafkaContentSource implements ContentSource, AutoCloseable {

    /** How long a read waits for Kafka before the call is answered {@code transient}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConsumer<String, RequestContent> consumer;
    private final String topic;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * @param consumerProperties the executor's consumer properties (bootstrap servers, its
     *        credentials); its group ID is not used
     */
    public KafkaContentSource(Map<String, Object> consumerProperties, Duration timeout) {
        this(consumerProperties, Topics.CONTENTS.name(), timeout);
    }

    /** As {@link #KafkaContentSource(Map, Duration)}, reading {@code topic} (tests). */
    public KafkaContentSource(Map<String, Object> consumerProperties, String topic,
            Duration timeout) {
        this.topic = topic;
        Map<String, Object> props = new HashMap<>(consumerProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // gone is gone, never another
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-executor-contents");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new EventDeserializer<>(AvroSingleObjectCodec.shared(), RequestContent.class));
        this.timeout = timeout;
    }

    @Override
    public Map<String, String> values(String requestId, ContentReference reference) {
        if (reference.getPartition() < 0 || reference.getOffset() < 0) {
            throw new Unavailable("the request names no place on " + topic, false);
        }
        TopicPartition partition = new TopicPartition(topic, reference
                .getPartition());
        lock.lock();
        try {
            consumer.assign(List.of(partition));
            consumer.seek(partition, reference.getOffset());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, RequestContent> record : consumer.poll(Duration
                        .ofNanos(Math.max(1, deadline - System.nanoTime()))).records(partition)) {
                    if (record.offset() != reference.getOffset()) {
                        throw new Unavailable("no record at " + partition + "@" + reference
                                .getOffset(), false);
                    }
                    return valuesOf(requestId, record);
                }
            }
            throw new Unavailable("Kafka did not give the withheld content of request "
                    + requestId + " within " + timeout.toSeconds() + " s; nothing was done, the"
                    + " call may be sent again", true);
        } catch (OffsetOutOfRangeException e) {
            throw new Unavailable("the withheld content of request " + requestId + " is not on "
                    + topic + " (it keeps what agents write " + Topics.CONTENTS_RETENTION.toHours()
                    + " h); nothing was done, the call may be sent again", true);
        } catch (KafkaException e) {
            throw new Unavailable("the withheld content of request " + requestId + " could not"
                    + " be read (" + e.getClass().getSimpleName() + "); nothing was done, the call"
                    + " may be sent again", true);
        } finally {
            consumer.unsubscribe();
            lock.unlock();
        }
    }

    private Map<String, String> valuesOf(String requestId,
            ConsumerRecord<String, RequestContent> record) {
        RequestContent content = record.value();
        if (!requestId.equals(record.key()) || content == null || !requestId.equals(content
                .getMeta().getRequestId())) {
            throw new Unavailable("the record the request names on " + topic
                    + " is not its own", false);
        }
        JsonNode values;
        try {
            values = GitHubSession.JSON.readTree(content.getValuesJson());
        } catch (JacksonException e) {
            throw new Unavailable("the withheld content of request " + requestId + " is not a"
                    + " JSON object", false);
        }
        if (values == null || !values.isObject()) {
            throw new Unavailable("the withheld content of request " + requestId + " is not a"
                    + " JSON object", false);
        }
        Map<String, String> byPointer = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> value : values.properties()) {
            if (!value.getValue().isString()) {
                throw new Unavailable("the withheld value " + value.getKey() + " of request "
                        + requestId + " is not text", false);
            }
            byPointer.put(value.getKey(), value.getValue().asString());
        }
        return byPointer;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            lock.unlock();
        }
    }
}
