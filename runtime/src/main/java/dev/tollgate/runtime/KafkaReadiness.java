package dev.tollgate.runtime;

import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;

/**
 * Ready when the cluster answers and every catalogue topic exists. Answers are cached briefly so a
 * probe storm does not become an Admin-request storm.
 */
public final class KafkaReadiness implements ReadinessCheck, AutoCloseable {

    private static final Duration CACHE = Duration.ofSeconds(2);

    private final Admin admin;
    private final Object bootstrapServers;
    private final Duration timeout;
    private final Clock clock;
    private volatile Result last;
    private volatile Instant lastAt = Instant.MIN;

    public KafkaReadiness(Map<String, Object> adminConfig, Duration timeout, Clock clock) {
        this.admin = Admin.create(adminConfig);
        this.bootstrapServers = adminConfig.get("bootstrap.servers");
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public Result check() {
        Instant now = clock.instant();
        if (last != null && now.isBefore(lastAt.plus(CACHE))) {
            return last;
        }
        Result result = probe();
        last = result;
        lastAt = now;
        return result;
    }

    private Result probe() {
        int millis = (int) Math.min(timeout.toMillis(), 5_000);
        try {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis))
                    .nodes().get(millis, TimeUnit.MILLISECONDS).size();
            Set<String> existing = admin.listTopics(new ListTopicsOptions().timeoutMs(millis))
                    .names().get(millis, TimeUnit.MILLISECONDS);
            Set<String> missing = new TreeSet<>();
            for (Topic<?> topic : Topics.all()) {
                if (!existing.contains(topic.name())) {
                    missing.add(topic.name());
                }
            }
            return missing.isEmpty()
                    ? Result.ready("kafka", brokers + " broker(s), all " + Topics.all().size()
                            + " topics present")
                    : Result.notReady("kafka", "topics missing at " + bootstrapServers + ": "
                            + missing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.notReady("kafka", "interrupted");
        } catch (Exception e) {
            return Result.notReady("kafka", "cluster at " + bootstrapServers
                    + " not reachable: " + rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null
                ? ""
                : ": "
                        + root.getMessage());
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
