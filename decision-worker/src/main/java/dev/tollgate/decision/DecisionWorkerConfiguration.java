package dev.tollgate.decision;

import dev.tollgate.decision.kafka.DecisionLoop;
import dev.tollgate.decision.kafka.EventTranslator;
import dev.tollgate.decision.kafka.PolicyChangedPublisher;
import dev.tollgate.decision.policy.load.LoadedPolicy;
import dev.tollgate.decision.policy.load.PolicyReloader;
import dev.tollgate.runtime.ReadinessCheck;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.TopicProvisioner;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the policy, its reload, and the Kafka decision loops. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PolicyProperties.class, DecisionProperties.class})
public class DecisionWorkerConfiguration {

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
    PolicyReloader policyReloader(PolicyProperties properties, PolicyChangedPublisher publisher,
            Clock clock, ObjectProvider<TopicProvisioner.Report> topics) throws IOException {
        topics.getIfAvailable(); // the topics exist before the first PolicyChanged is published
        if (properties.getFile() == null) {
            throw new IllegalStateException("tollgate.policy.file is not set: point it"
                    + " (or TOLLGATE_POLICY_FILE) at the policy file (.toml, .json or .yaml);"
                    + " everything not granted there is denied");
        }
        PolicyReloader reloader = new PolicyReloader(properties.getFile(), publisher, clock);
        reloader.start();
        if (properties.isWatch()) {
            reloader.watch();
        }
        return reloader;
    }

    @Bean
    ReadinessCheck policyLoaded(PolicyReloader reloader) {
        return () -> {
            LoadedPolicy current = reloader.current();
            return current == null
                    ? ReadinessCheck.Result.notReady("policy", "no policy loaded")
                    : ReadinessCheck.Result.ready("policy", current.policy().version() + " from "
                            + current.source());
        };
    }

    @Bean
    DecisionWorker decisionWorker(KafkaProperties kafka, DecisionProperties properties,
            PolicyReloader reloader, EventTranslator translator) {
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
                return new DecisionLoop(consumer, producer, reloader, translator, properties
                        .getPollTimeout());
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
