package dev.tollgate.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalogue's topics if they are missing, idempotently: several replicas starting at
 * once is fine, and an existing topic is left as it is (a partition count that differs from the
 * settings is reported, never changed).
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    /** What start-up found and did. */
    public record Report(List<String> created, List<String> existing, List<String> warnings) {
    }

    private final Admin admin;
    private final TopicSettings settings;
    private final long timeoutMillis;

    public TopicProvisioner(Admin admin, TopicSettings settings, long timeoutMillis) {
        this.admin = admin;
        this.settings = settings;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * How long a record of a compacted topic stays as written before compaction may fold it into
     * a later one of its key: an audit sink that was down up to this long still reads every
     * record (a rotation, an installation change), while a replica's start-up replay stays
     * bounded by what a week writes.
     */
    public static final long MIN_COMPACTION_LAG_MS = 7L * 24 * 60 * 60 * 1000;

    /** The broker-side configuration of a topic. */
    public static Map<String, String> topicConfig(Topic<?> topic) {
        Map<String, String> config = new HashMap<>();
        config.put(TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanupPolicy());
        if (topic.compacted()) {
            config.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(
                    MIN_COMPACTION_LAG_MS));
        }
        if (topic.keepForever()) {
            config.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            config.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        }
        return config;
    }

    public Report ensure(Collection<Topic<?>> topics) {
        try {
            var existing = admin.listTopics().names().get(timeoutMillis, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (Topic<?> topic : topics) {
                if (existing.contains(topic.name())) {
                    present.add(topic.name());
                } else {
                    missing.add(new NewTopic(topic.name(), settings.partitionsFor(topic),
                            settings.replicationFactor()).configs(topicConfig(topic)));
                }
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeoutMillis, TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    present.add(entry.getKey()); // another replica won the race
                }
            }
            List<String> warnings = checkPartitions(topics, present);
            warnings.forEach(log::warn);
            return new Report(List.copyOf(created), List.copyOf(present), List.copyOf(warnings));
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot create Kafka topics: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + timeoutMillis
                    + " ms while creating topics: is spring.kafka.bootstrap-servers right?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }

    private List<String> checkPartitions(Collection<Topic<?>> topics, List<String> present)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> warnings = new ArrayList<>();
        if (present.isEmpty()) {
            return warnings;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(present)
                .allTopicNames().get(timeoutMillis, TimeUnit.MILLISECONDS);
        for (Topic<?> topic : topics) {
            TopicDescription description = descriptions.get(topic.name());
            if (description != null
                    && description.partitions().size() != settings.partitionsFor(topic)) {
                warnings.add("topic " + topic.name() + " has " + description.partitions().size()
                        + " partitions, settings ask for " + settings.partitionsFor(topic)
                        + "; left unchanged");
            }
        }
        return warnings;
    }
}
