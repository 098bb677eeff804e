package dev.tollgate.decision;

import dev.tollgate.decision.installations.InstallationGate;
import dev.tollgate.decision.kafka.DecisionLoop;
import dev.tollgate.decision.kafka.EventTranslator;
import dev.tollgate.decision.kafka.PolicyChangedPublisher;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.runtime.ReadinessCheck;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Wires the policy, its reload, and the Kafka decision loops. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PolicyProperties.class, DecisionProperties.class})
public class DecisionWorkerConfiguration {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
            DecisionWorkerConfiguration.class);

    @Bean
    EventTranslator decisionEventTranslator(Clock clock) {
        return new EventTranslator(clock);
    }

    @Bean(destroyMethod = "close")
    PolicyChangedPublisher policyChangedPublisher(KafkaProperties kafka,
            EventTranslator translator) {
        return new PolicyChangedPublisher(kafka.buildProducerProperties(), translator);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty("tollgate.policy.file")
    PolicyReloader policyReloader(PolicyProperties properties, PolicyChangedPublisher publisher,
            Clock clock, ObjectProvider<TopicProvisioner.Report> topics) throws IOException {
        topics.getIfAvailable(); // the topics exist before the first PolicyChanged is published
        PolicyReloader reloader = new PolicyReloader(properties.getFile(), publisher, clock);
        reloader.start();
        if (properties.isWatch()) {
            reloader.watch();
        }
        return reloader;
    }

    /**
     * The reloading policy file's engine; without {@code tollgate.policy.file}, an empty policy
     * that denies every request (deny by default), announced loudly and as a PolicyChanged event.
     */
    @Bean
    ActivePolicy activePolicy(ObjectProvider<PolicyReloader> reloaders,
            PolicyChangedPublisher publisher, Clock clock,
            ObjectProvider<TopicProvisioner.Report> topics, PolicyProperties properties) {
        List<String> commandLine = commandLine(properties);
        if (!commandLine.isEmpty() && properties.getFile() != null) {
            throw new IllegalStateException("give the policy as tollgate.policy.file or as "
                    + "service-gator's options (tollgate.policy.command-line, set by tollgate run "
                    + "--gh-repo/--scope), not both");
        }
        PolicyReloader reloader = reloaders.getIfAvailable();
        if (reloader == null) {
            topics.getIfAvailable(); // the topic exists before the PolicyChanged is published
        }
        return commandLine.isEmpty()
                ? ActivePolicy.of(reloader, publisher, clock)
                : ActivePolicy.ofCommandLine(commandLine, publisher, clock);
    }

    /** tollgate.policy.command-line, a JSON array of strings; empty when unset. */
    static List<String> commandLine(PolicyProperties properties) {
        String json = properties.getCommandLine();
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            JsonNode node = JsonMapper.builder().build().readTree(json);
            List<JsonNode> arguments = node.isArray()
                    ? StreamSupport.stream(node.spliterator(), false).toList()
                    : List.of();
            if (node.isArray() && arguments.stream().allMatch(JsonNode::isString)) {
                return arguments.stream().map(JsonNode::asString).toList();
            }
        } catch (JacksonException e) {
            // said below
        }
        throw new IllegalStateException("tollgate.policy.command-line must be a JSON array of "
                + "strings, service-gator's arguments in order, e.g. [\"--gh-repo\", "
                + "\"myorg/app:read\"]");
    }

    @Bean
    ReadinessCheck policyLoaded(ActivePolicy policy) {
        return () -> ReadinessCheck.Result.ready("policy", policy.description().get());
    }

    /** Why allowed calls are not performed when {@code github-configured} is false. */
    static final String WITHOUT_GITHUB = "this gateway runs without a GitHub App (try-it mode),"
            + " so nothing reaches GitHub; to perform calls, set tollgate.github.app-id and"
            + " tollgate.github.private-key-file (TOLLGATE_GITHUB_APP_ID,"
            + " TOLLGATE_GITHUB_PRIVATE_KEY_FILE) and restart";

    /**
     * Signs every allowed decision: the executors perform only decisions whose signature verifies,
     * so one forged on the topic is refused. No key, no decision worker.
     */
    @Bean
    DecisionSigner decisionSigner(DecisionProperties properties) {
        java.nio.file.Path file = properties.getSigningKeyFile();
        if (file == null) {
            throw new IllegalStateException("tollgate.decision.signing-key-file"
                    + " (TOLLGATE_DECISION_SIGNING_KEY_FILE) is not set: executors perform only"
                    + " signed decisions. Generate a key with `openssl rand -base64 32 >"
                    + " decision-signing-key` (readable by this user only) and give the same file"
                    + " to the executors as tollgate.executor.decision-key-files");
        }
        DecisionKey key = DecisionKey.parse(SecretFiles.readConfigured("decision signing key",
                file), file.toString());
        log.info("signing decisions with key {} from {}", key.id(), file.toAbsolutePath());
        return new DecisionSigner(key);
    }

    @Bean
    DecisionWorker decisionWorker(KafkaProperties kafka, DecisionProperties properties,
            ActivePolicy policy, EventTranslator translator, InstallationGate installations,
            DecisionSigner signer) {
        List<Supplier<DecisionLoop>> loops = new ArrayList<>();
        String instance = EventMetas.Instances.id() + "-" + ProcessHandle.current().pid();
        for (int i = 0; i < Math.max(1, properties.getConsumers()); i++) {
            int index = i;
            loops.add(() -> {
                Map<String, Object> consumer = new HashMap<>(kafka.buildConsumerProperties());
                consumer.put(ConsumerConfig.GROUP_ID_CONFIG, properties.getGroupId());
                Map<String, Object> producer = new HashMap<>(kafka.buildProducerProperties());
                producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, properties
                        .getTransactionalIdPrefix() + "-" + instance + "-" + index);
                producer.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) properties
                        .getTransactionTimeout().toMillis());
                return new DecisionLoop(consumer, producer, policy.engines(), translator,
                        properties.getPollTimeout(), installations, signer, properties
                                .isGithubConfigured()
                                        ? null
                                        : WITHOUT_GITHUB)
                        .gatherFor(properties.getGather());
            });
        }
        return new DecisionWorker(loops);
    }

    @Bean
    ReadinessCheck decisionLoopsRunning(DecisionWorker worker) {
        return () -> worker.healthy()
                ? ReadinessCheck.Result.ready("decision-loops", "consuming gateway.requests")
                : ReadinessCheck.Result.notReady("decision-loops",
                        "a decision loop stopped; see the log");
    }
}
