package dev.tollgate.executor;

import dev.tollgate.executor.core.AnswerLimit;
import dev.tollgate.executor.core.CompletionStore;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.InstallationGuard;
import dev.tollgate.executor.core.InstallationResolver;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.Settings;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.installations.EnvironmentApps;
import dev.tollgate.executor.kafka.DecisionConsumer;
import dev.tollgate.executor.kafka.KafkaContentSource;
import dev.tollgate.executor.kafka.MintPublisher;
import dev.tollgate.executor.postgres.CompletionsDatabase;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.KafkaAcls;
import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionVerifier;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Wires the executor from {@code tollgate.*} settings (environment {@code TOLLGATE_*}, secrets
 * also as {@code *_FILE}) and Kafka from the standard {@code spring.kafka.*} keys.
 */
@Configuration(proxyBeanMethods = false)
public class ExecutorConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ExecutorConfiguration.class);

    /**
     * The default GitHub App; none (a null bean) when no App setting is given and another forge
     * is configured: the executor then acts on those forges only and answers GitHub calls
     * {@code github_not_configured}. With neither, start-up fails naming both.
     */
    @Bean
    GitHubAppConfig gitHubAppConfig(Environment environment) {
        if (!GitHubAppConfig.anySettingGiven(environment::getProperty, System.getenv())
                && ForgeHostSettings.anyGiven(environment::getProperty, System.getenv())) {
            log.warn("no GitHub App is configured: acting on the other forges only; GitHub calls"
                    + " are answered github_not_configured (set tollgate.github.app-id and"
                    + " tollgate.github.private-key-file to perform them)");
            return null;
        }
        GitHubAppConfig config = GitHubAppConfig.resolve(environment::getProperty, System
                .getenv());
        log.info("GitHub App {} at {}", config.appId(), config.apiUrl());
        return config;
    }

    @Bean
    Clock executorClock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService retryScheduler() {
        return Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("github-retry-", 0)
                .daemon().factory());
    }

    @Bean(destroyMethod = "close")
    Producer<String, SpecificRecord> executorProducer(KafkaProperties kafka,
            MessageLimits limits) {
        Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, limits.producerMaxRequestSize());
        return new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>(
                AvroSingleObjectCodec.shared()));
    }

    /**
     * The bytes of GitHub's answers this replica holds at once ({@code
     * tollgate.executor.response-bytes-in-flight}, default an eighth of the heap between 16 and 64
     * MiB) and the most it reads of one ({@code tollgate.github.max-response-bytes}, 8 MiB).
     */
    @Bean
    ResponseBudget responseBudget(Environment environment) {
        long maxResponse = environment.getProperty("tollgate.github.max-response-bytes",
                DataSize.class, DataSize.ofBytes(ResponseBudget.DEFAULT_MAX_RESPONSE_BYTES))
                .toBytes();
        long capacity = environment.getProperty("tollgate.executor.response-bytes-in-flight",
                DataSize.class, DataSize.ofBytes(Math.max(maxResponse, ResponseBudget
                        .defaultCapacity(Runtime.getRuntime().maxMemory()))))
                .toBytes();
        ResponseBudget budget = new ResponseBudget(capacity, maxResponse,
                ResponseBudget.DEFAULT_MAX_WAIT);
        log.info("GitHub answers: at most {} bytes read of one, {} bytes held at once", budget
                .maxResponseBytes(), budget.capacity());
        return budget;
    }

    /**
     * The decision worker's keys ({@code tollgate.executor.decision-key-files}, comma-separated:
     * the current key and, while rotating, the next or the previous one). Only decisions signed
     * with one of them are performed. No key, no executor.
     */
    @Bean
    DecisionVerifier decisionVerifier(Environment environment) {
        String files = environment.getProperty(DECISION_KEY_FILES, "");
        List<DecisionKey> keys = new ArrayList<>();
        for (String name : files.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            Path file = Path.of(name.trim());
            keys.add(DecisionKey.parse(SecretFiles.readConfigured("decision signing key", file),
                    file.toString()));
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException(DECISION_KEY_FILES
                    + " (TOLLGATE_EXECUTOR_DECISION_KEY_FILES) is not set: the executor performs"
                    + " only decisions signed by the decision worker. Set it to the decision"
                    + " worker's tollgate.decision.signing-key-file (several files, comma-separated,"
                    + " while a key is rotated)");
        }
        DecisionVerifier verifier = new DecisionVerifier(keys);
        log.info("performing decisions signed with key(s) {}", verifier.keyIds());
        return verifier;
    }

    static final String DECISION_KEY_FILES = "tollgate.executor.decision-key-files";

    /** What agents write, read back from gateway.contents at the offset each request names. */
    @Bean
    KafkaContentSource contentSource(KafkaProperties kafka) {
        return new KafkaContentSource(kafka.buildConsumerProperties(),
                KafkaContentSource.DEFAULT_TIMEOUT);
    }

    @Bean
    DecisionConsumers decisionConsumers(Environment environment, KafkaProperties kafka,
            ObjectProvider<GitHubAppConfig> defaultApp, Clock clock,
            ScheduledExecutorService scheduler,
            Producer<String, SpecificRecord> producer, InstallationGuard installationGuard,
            EnvironmentApps environmentApps, MessageLimits limits, ResponseBudget budget,
            DecisionVerifier verifier, CompletionStore completions,
            KafkaContentSource contentSource) {
        AnswerLimit answers = AnswerLimit.of(limits);
        int count = environment.getProperty("tollgate.executor.consumers", Integer.class, 1);
        String group = environment.getProperty("tollgate.executor.group-id",
                KafkaAcls.EXECUTOR_GROUP);
        Duration writeInterval = environment.getProperty("tollgate.executor.write-interval",
                Duration.class, Duration.ofSeconds(1));
        RetryPolicy retry = retryPolicy(environment);
        Map<String, Object> consumerProps = new HashMap<>(kafka.buildConsumerProperties());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        Map<String, Long> installations = InstallationResolver.parseStatic(environment
                .getProperty("tollgate.github.installations"));
        int maxInFlight = environment.getProperty("tollgate.executor.max-in-flight",
                Integer.class, DecisionConsumer.DEFAULT_MAX_IN_FLIGHT);
        if (maxInFlight < 1) {
            throw new IllegalStateException("tollgate.executor.max-in-flight must be at least 1"
                    + " (TOLLGATE_EXECUTOR_MAX_IN_FLIGHT), not " + maxInFlight);
        }
        int writeQueuePerAgent = environment.getProperty(
                "tollgate.executor.write-queue-per-agent", Integer.class, Math.min(
                        ExecutorAssembly.DEFAULT_WRITE_QUEUE_PER_AGENT, Math.max(1, maxInFlight
                                / 4)));
        // Job logs fetched from GitHub's log storage at once, by all the replica's Apps: a store
        // that hangs holds at most a quarter of the call slots, each for the call's timeout.
        Bulkhead redirectsAtOnce = ResilientTransport.redirectBulkhead(Math.max(1, maxInFlight
                / 4));
        // One executor per replica, shared by its consumers: one token cache (a rebalance between
        // this replica's consumers never mints a scope again), one write pacer per installation.
        DecisionConsumer.Topics topics = DecisionConsumer.Topics.standard();
        MintPublisher mints = new MintPublisher(producer, topics.tokenMints());
        Map<String, ToolCallExecutor> apps = new HashMap<>();
        environmentApps.apps().forEach((name, app) -> apps.put(name, new ExecutorAssembly(app,
                clock, mints, completions, retry, writeInterval, scheduler, UnaryOperator
                        .identity(),
                Map.of(), budget, answers).build(writeQueuePerAgent, redirectsAtOnce).guardedBy(
                        installationGuard)));
        GitHubAppConfig config = defaultApp.getIfAvailable();
        ExecutorAssembly assembly = new ExecutorAssembly(config, clock, mints, completions,
                retry, writeInterval, scheduler, UnaryOperator.identity(), installations, budget,
                answers);
        ForgeHosts forges = assembly.forgeHosts(ForgeHostSettings.all(environment),
                writeQueuePerAgent);
        if (!forges.names().isEmpty()) {
            log.info("acting on {} besides GitHub (credentials from their files)", forges
                    .names());
        }
        ToolCallExecutor github = config == null
                ? ToolCallExecutor.withoutGitHub(completions, clock).limitedBy(answers, budget)
                : assembly.build(writeQueuePerAgent, redirectsAtOnce);
        ToolCallExecutor executor = github.guardedBy(installationGuard).routing(environmentApps
                .environments(), apps)
                .readingContentFrom(contentSource).actingOn(forges).refusingDecisionsOlderThan(
                        maxDecisionAge(environment));
        Semaphore inFlight = new Semaphore(maxInFlight);
        List<DecisionConsumer> consumers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            consumers.add(new DecisionConsumer(consumerProps, producer, executor, mints, inFlight,
                    topics, verifier));
        }
        return new DecisionConsumers(consumers);
    }

    /**
     * The retry policy of GitHub's and the forges' calls: {@link RetryPolicy#defaults()}, with
     * {@code tollgate.github.retry.base-delay} (the first backoff, default 500 ms, doubled per
     * attempt up to the 8 s cap; more than zero and at most the cap, else start-up stops naming
     * the key) and {@code tollgate.github.retry.max-wait}.
     */
    public static RetryPolicy retryPolicy(Environment environment) {
        RetryPolicy defaults = RetryPolicy.defaults();
        Duration baseDelay = defaults.baseDelay();
        String text = environment.getProperty("tollgate.github.retry.base-delay");
        if (text != null && !text.isBlank()) {
            String fix = "tollgate.github.retry.base-delay (TOLLGATE_GITHUB_RETRY_BASE_DELAY)"
                    + " must be a duration more than 0 and at most " + defaults.maxBackoff()
                            .toMillis()
                    + "ms (the longest backoff), such as 500ms or 1s, not '" + text + "'; leave it"
                    + " unset for the default, " + defaults.baseDelay().toMillis() + "ms";
            try {
                baseDelay = DurationStyle.detectAndParse(text.trim());
            } catch (RuntimeException e) {
                throw new IllegalStateException(fix);
            }
            if (baseDelay.isZero() || baseDelay.isNegative() || baseDelay.compareTo(defaults
                    .maxBackoff()) > 0) {
                throw new IllegalStateException(fix);
            }
        }
        Duration maxWait = environment.getProperty("tollgate.github.retry.max-wait",
                Duration.class, Duration.ofSeconds(60));
        return new RetryPolicy(defaults.maxAttempts(), baseDelay, defaults.maxBackoff(), maxWait,
                defaults.random());
    }

    /**
     * {@code tollgate.executor.max-decision-age}: how long after it was made a decision is still
     * performed (default one day); more than zero, else start-up stops naming the key.
     */
    static Duration maxDecisionAge(Environment environment) {
        String key = "tollgate.executor.max-decision-age";
        String variable = "TOLLGATE_EXECUTOR_MAX_DECISION_AGE";
        String text = environment.getProperty(key);
        if (text == null || text.isBlank()) {
            return ToolCallExecutor.DEFAULT_MAX_DECISION_AGE;
        }
        Duration age;
        try {
            age = DurationStyle.detectAndParse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalStateException(key + " (" + variable + ") must be a duration such as"
                    + " 1d, 12h or PT6H, not '" + text + "'");
        }
        if (age.isZero() || age.isNegative()) {
            throw new IllegalStateException(key + " (" + variable + ") must be more than 0 (a"
                    + " decision made longer ago than it is refused), not '" + environment
                            .getProperty(key)
                    + "'; leave it unset for the default, 1d");
        }
        return age;
    }

    /**
     * PostgreSQL when {@code tollgate.executor.completions.jdbc-url} is set (shared by the fleet,
     * kept across restarts; its pool is closed with the application), else this process's
     * memory.
     */
    @Bean
    CompletionStore completionStore(Environment environment, Clock clock) {
        int capacity = environment.getProperty("tollgate.executor.completion-cache-size",
                Integer.class, 20_000);
        long maxBytes = environment.getProperty("tollgate.executor.completion-cache-bytes",
                DataSize.class, DataSize.ofBytes(InMemoryCompletionStore.DEFAULT_MAX_BYTES))
                .toBytes();
        Settings settings = new Settings(environment::getProperty, System.getenv());
        Optional<String> url = settings.get("tollgate.executor.completions.jdbc-url");
        if (url.isEmpty()) {
            log.warn("completions are kept in memory only (set"
                    + " tollgate.executor.completions.jdbc-url for a durable record): after a"
                    + " restart, writes rely on their GitHub markers to stay at most once");
            return new InMemoryCompletionStore(capacity, maxBytes);
        }
        String user = settings.get("tollgate.executor.completions.user").orElse(null);
        String password = settings.get("tollgate.executor.completions.password").orElse(null);
        int poolSize = environment.getProperty("tollgate.executor.completions.pool-size",
                Integer.class, CompletionsDatabase.DEFAULT_POOL_SIZE);
        return CompletionsDatabase.open(url.get(), user, password, poolSize, clock);
    }

    /** Runs the consumers on their own threads for the application's lifetime. */
    static final class DecisionConsumers implements SmartLifecycle {
        private final List<DecisionConsumer> consumers;
        private final List<Thread> threads = new ArrayList<>();
        private volatile boolean running;

        DecisionConsumers(List<DecisionConsumer> consumers) {
            this.consumers = consumers;
        }

        @Override
        public void start() {
            for (int i = 0; i < consumers.size(); i++) {
                threads.add(Thread.ofPlatform().name("decision-consumer-" + i).start(consumers
                        .get(i)));
            }
            running = true;
        }

        @Override
        public void stop() {
            consumers.forEach(DecisionConsumer::close);
            for (Thread thread : threads) {
                try {
                    thread.join(Duration.ofSeconds(15));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
