package dev.tollgate.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalogue's topics if they are missing, idempotently: several replicas starting at
 * once is fine, and an existing topic is left as it is (a partition count that differs from the
 * settings is reported, never changed). New topics take records up to the settings'
 * {@link MessageLimits}; an existing topic that takes less refuses start-up, naming the fix, since
 * its writers would have records refused that the limits promise to carry.
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

    /**
     * How soon a compacted topic that is not audited (state only, its history kept elsewhere) is
     * compacted: its segments roll this often and are compacted at the latest this long after,
     * so a start-up replay holds the latest record per key and at most about twice this long of
     * changes.
     */
    public static final Duration STATE_COMPACTION_LAG = Duration.ofHours(1);

    /** The broker-side configuration of a topic, with the default record size limit. */
    public static Map<String, String> topicConfig(Topic<?> topic) {
        return topicConfig(topic, MessageLimits.defaults());
    }

    /** The broker-side configuration of a topic that takes records up to {@code limits}. */
    public static Map<String, String> topicConfig(Topic<?> topic, MessageLimits limits) {
        Map<String, String> config = new HashMap<>();
        config.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(limits
                .topicMaxMessageBytes()));
        config.put(TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanupPolicy());
        if (topic.compacted() && topic.audited()) {
            config.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(
                    MIN_COMPACTION_LAG_MS));
        } else if (topic.compacted()) {
            String lag = Long.toString(STATE_COMPACTION_LAG.toMillis());
            config.put(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0");
            config.put(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, lag);
            config.put(TopicConfig.SEGMENT_MS_CONFIG, lag);
        }
        if (topic.keepForever()) {
            config.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            config.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        } else if (topic.retention() != null) {
            config.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention()
                    .toMillis()));
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
                            settings.replicationFactor()).configs(
                                    topicConfig(topic, settings
                                            .messageLimits())));
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
            checkMessageSizes(present);
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

    /**
     * Refuses topics that take smaller records than the settings' limits (their effective
     * {@code max.message.bytes}: the topic's own, else the broker's {@code message.max.bytes}).
     *
     * @throws IllegalStateException naming every such topic and the fix
     */
    public void checkMessageSizes(Collection<String> topicNames) throws InterruptedException,
            ExecutionException, TimeoutException {
        if (topicNames.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = topicNames.stream().map(name -> new ConfigResource(
                ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs;
        try {
            configs = describeConfigs(resources);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AuthorizationException)) {
                throw e;
            }
            log.warn("cannot check the topics' {} (this principal may not describe their"
                    + " configuration: {}); make sure each takes records of {} bytes",
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, e.getCause().getMessage(), settings
                            .messageLimits().maxMessageBytes());
            return;
        }
        List<String> problems = new ArrayList<>();
        for (ConfigResource resource : resources) {
            Config config = configs.get(resource);
            ConfigEntry entry = config == null
                    ? null
                    : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry != null && entry.value() != null) {
                settings.messageLimits().topicProblem(resource.name(), Long.parseLong(entry
                        .value())).ifPresent(problems::add);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /** A topic just created (here or by another replica) may take a moment to be described. */
    private Map<ConfigResource, Config> describeConfigs(List<ConfigResource> resources)
            throws InterruptedException, ExecutionException, TimeoutException {
        return whileUnknown(() -> admin.describeConfigs(resources).all());
    }

    /**
     * Like {@link #describeConfigs}: a topic listed already may not be described yet by the
     * broker asked (its metadata arrives a moment later), which said UnknownTopicOrPartition and
     * stopped the role's start (TopicProvisionerIntegrationTest, once in eleven builds on a busy
     * machine).
     */
    private Map<String, TopicDescription> describeTopics(List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        return whileUnknown(() -> admin.describeTopics(names).allTopicNames());
    }

    /** Asks again, every 100 ms until the timeout, while the broker says a topic is unknown. */
    private <T> T whileUnknown(Supplier<KafkaFuture<T>> ask)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            try {
                return ask.get().get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System
                        .nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private List<String> checkPartitions(Collection<Topic<?>> topics, List<String> present)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> warnings = new ArrayList<>();
        if (present.isEmpty()) {
            return warnings;
        }
        Map<String, TopicDescription> descriptions = describeTopics(present);
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
