package dev.tollgate.launcher;

import dev.tollgate.testsupport.KafkaToolScripts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.KafkaAcls;
import dev.tollgate.schemas.KafkaSetupScript;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The setup script compose and Kubernetes run ({@link KafkaSetupScript}), run for real: by
 * {@code sh}, through Kafka's own command-line tools (their main classes, as Kafka's
 * {@code bin/*.sh} run them), against a broker that authenticates every listener and allows
 * nothing without an ACL. Afterwards the cluster holds exactly {@link KafkaAcls}' table, each
 * role's principal does its job, and nothing else is allowed.
 */
class KafkaSetupScriptTest {

    @TempDir
    Path dir;

    private static String password() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private Path secret(String name, String value) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, value, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** Kafka's bin scripts, each running its tool's main class on $TOOLS_CLASSPATH. */
    private Path kafkaBin() throws Exception {
        return KafkaToolScripts.write(dir.resolve("bin"), "$TOOLS_CLASSPATH");
    }

    private static Map<String, Object> principal(String bootstrap, String user, String password) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put("security.protocol", "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                + " required username=\"" + user + "\" password=\"" + password + "\";");
        return props;
    }

    @Test
    void theScriptGivesEachRoleItsPrincipalAndExactlyTheTablesAclsOnAClusterThatAllowsNothing()
            throws Exception {
        String brokerPassword = password();
        try (EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(dir.resolve("kafka"), 0, true,
                brokerPassword)) {
            Map<String, String> passwords = new HashMap<>();
            ProcessBuilder run = new ProcessBuilder("sh", secret("setup.sh", KafkaSetupScript
                    .text()).toString()).redirectErrorStream(true);
            Map<String, String> env = run.environment();
            env.put("KAFKA_BIN", kafkaBin().toString());
            env.put("TOOLS_CLASSPATH", KafkaToolScripts.classPath());
            env.put("BOOTSTRAP", broker.superUserClientProperties().get("bootstrap.servers")
                    .toString());
            env.put("ADMIN_USER", KafkaAcls.BROKER_USER);
            env.put("ADMIN_PASSWORD_FILE", secret("broker.password", brokerPassword).toString());
            env.put("PARTITIONS", "2");
            env.put("REPLICATION_FACTOR", "1");
            for (String role : KafkaAcls.DEPLOYED_ROLES) {
                passwords.put(role, password());
                env.put(KafkaSetupScript.passwordVariable(role), secret(role + ".password",
                        passwords.get(role)).toString());
            }

            Process process = run.start();
            String output = new String(process.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            boolean ended = process.waitFor(5, TimeUnit.MINUTES);

            assertThat(ended).as("the script ended within 5 minutes; its output:%n%s", output)
                    .isTrue();
            assertThat(process.exitValue()).as("exit code; output:%n%s", output).isZero();
            assertThat(output)
                    .contains("Tollgate's Kafka principals, topics and ACLs are in place");
            passwords.values().forEach(secret -> assertThat(output).as("no password printed")
                    .doesNotContain(secret));
            assertThat(output).doesNotContain(brokerPassword);

            try (Admin admin = Admin.create(broker.superUserClientProperties())) {
                Set<AclBinding> acls = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY)
                        .values().get(60, TimeUnit.SECONDS));
                assertThat(acls).as("the cluster's ACLs are the table's").isEqualTo(new HashSet<>(
                        KafkaAcls.bindings(KafkaAcls.DEPLOYED_ROLES)));
                assertThat(admin.listTopics().names().get(60, TimeUnit.SECONDS)).containsAll(
                        Topics.all().stream().map(topic -> topic.name()).toList());
            }

            String client = broker.bootstrapServers();
            Map<String, Object> ingress = principal(client, KafkaAcls.userOf(
                    Roles.INGRESS),
                    passwords.get(
                            Roles.INGRESS));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producer(ingress),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), new byte[]{1})).get(
                        60, TimeUnit.SECONDS);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.DECISIONS
                        .name(), new byte[]{1})).get(60, TimeUnit.SECONDS)).isInstanceOf(
                                ExecutionException.class)
                        .cause().isInstanceOf(
                                TopicAuthorizationException.class);
            }
            Map<String, Object> executor = principal(client, KafkaAcls.userOf(
                    Roles.EXECUTOR_WORKER),
                    passwords.get(
                            Roles.EXECUTOR_WORKER));
            assertThatThrownBy(() -> readOnce(executor, Topics.REQUESTS.name())).as(
                    "the executor reads no requests (it may see the topic: every role describes"
                            + " the catalogue)")
                    .isInstanceOf(TopicAuthorizationException.class);
            readOnce(executor, Topics.DECISIONS.name()); // its own topic: allowed

            Map<String, Object> wrong = principal(client, KafkaAcls.userOf(
                    Roles.INGRESS), password());
            wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            try (Admin guess = Admin.create(wrong)) {
                assertThatThrownBy(() -> guess.listTopics().names().get(30, TimeUnit.SECONDS))
                        .as("a guessed password").isInstanceOf(ExecutionException.class)
                        .cause().hasMessageContaining("Authentication failed");
            }
        }
    }

    private static Map<String, Object> producer(Map<String, Object> principal) {
        Map<String, Object> props = new HashMap<>(principal);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return props;
    }

    /** Fetches from partition 0 of {@code topic} for two seconds; a refusal is thrown. */
    private static void readOnce(Map<String, Object> principal, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(principal,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
        }
    }
}
