package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 1: no credential reaches an agent, a topic or a disk. After reads and writes that made
 * the executor mint installation tokens, none of those tokens, the App's private key or the admin
 * key appears in any answer an agent got, in any record of any topic, or in any file the run
 * wrote.
 */
@ExtendWith(Standalone.Extension.class)
class NoCredentialReachesAnAgentATopicOrADiskTest {

    private final Standalone tollgate;

    NoCredentialReachesAnAgentATopicOrADiskTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void noTokenKeyOrSecretIsInAnyAnswerRecordOrFile() throws Exception {
        List<String> answers = new ArrayList<>();
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            answers.add(writer.call("get_file", Map.of("owner", "acme", "repo", "app", "path",
                    "README.md")).toString());
            answers.add(writer.call("github_api_get", Map.of("path",
                    "/repos/acme/app/contents/src/Main.java")).toString());
            answers.add(writer.call("create_issue", Map.of("owner", "acme", "repo", "app",
                    "title", "found", "body", "details")).toString());
            answers.add(writer.call("push_files", Map.of("owner", "acme", "repo", "app",
                    "branch", "agent-credentials-" + UUID.randomUUID().toString().substring(0, 8),
                    "message", "m", "files", List.of(Map.of("path", "docs/a.md", "content",
                            "x"))))
                    .toString());
        }
        List<String> secrets = new ArrayList<>();
        tollgate.github().mints().stream().map(GitHubStandIn.Mint::token).forEach(secrets::add);
        secrets.addAll(tollgate.github().downloadTokens());
        secrets.add(Standalone.ADMIN_KEY);
        secrets.add(Standalone.WEBHOOK_SECRET);
        secrets.add(privateKeyBody());
        assertThat(tollgate.github().mints()).as("the calls minted tokens to look for")
                .isNotEmpty();
        assertThat(tollgate.github().downloadTokens()).as(
                "GitHub's answers carried raw-download tokens (download_url ?token=) to look for")
                .isNotEmpty();
        assertThat(answers).as("the passthrough answer keeps its download_url, without a token")
                .anySatisfy(answer -> assertThat(answer).contains(
                        "raw.githubusercontent.com/acme/app/main/src/Main.java?token="));

        List<String> onTopics = allTopicRecords();
        List<Path> files = filesUnder(tollgate.dataDir().resolve("run"));

        SecretSearch search = new SecretSearch(secrets);
        assertThat(search.found("{\"x\":\"" + secrets.getLast() + "\"}")).as(
                "the search finds a secret it is given (the control)").hasSize(1);
        for (String answer : answers) {
            assertThat(search.found(answer)).as("secrets in an answer").isEmpty();
        }
        for (String record : onTopics) {
            assertThat(search.found(record)).as("secrets in a topic record").isEmpty();
        }
        List<Path> read = new ArrayList<>();
        for (Path file : files) { // each file read once, searched for every secret at once
            if (!file.getFileName().toString().equals("admin-key")) {
                Optional<String> text = written(file);
                text.ifPresent(content -> read.add(file));
                text.ifPresent(content -> assertThat(search.found(content)).as(
                        "secrets in " + file).isEmpty());
            }
        }
        assertThat(read).as("files read (of %d listed)", files.size())
                .hasSizeGreaterThan(files.size() / 2);
        assertThat(onTopics).as("records read from the topics").hasSizeGreaterThan(10);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /**
     * Files the running broker writes and then renames or deletes (checkpoints written as
     * {@code .tmp} and renamed, segments marked {@code .deleted}, {@code .cleaned} and
     * {@code .swap} during compaction): one can vanish between the listing and the read.
     */
    private static final Pattern KAFKA_TRANSIENT = Pattern.compile(
            "\\.(tmp|deleted|cleaned|swap)$");

    /**
     * What {@code file} holds up to its last byte that is not zero: Kafka preallocates its index
     * files (10 MiB of zeros each, hundreds of them), which hold no secret but cost the search
     * gigabytes.
     */
    private static Optional<String> written(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException gone) {
            assertThat(KAFKA_TRANSIENT.matcher(file.getFileName().toString()).find()).as(
                    "%s vanished between listing and reading; only Kafka's renamed or deleted"
                            + " files (%s) may",
                    file, KAFKA_TRANSIENT.pattern()).isTrue();
            return Optional.empty(); // its content lives on under the name it was renamed to
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return Optional.of(new String(bytes, 0, end, StandardCharsets.ISO_8859_1));
    }

    /**
     * Finds any of many secrets in a text in a few passes, not one per secret (the run's files
     * hold a gigabyte, mostly Kafka's preallocated indexes, and the run mints a hundred tokens):
     * one scan per distinct four-character prefix, then each secret with that prefix compared
     * where the prefix occurs.
     */
    private static final class SecretSearch {

        private final Map<String, List<String>> byPrefix = new HashMap<>();

        SecretSearch(List<String> secrets) {
            for (String secret : secrets) {
                assertThat(secret).as("a secret to look for").hasSizeGreaterThanOrEqualTo(8);
                byPrefix.computeIfAbsent(secret.substring(0, 4), prefix -> new ArrayList<>()).add(
                        secret);
            }
        }

        /** Hints of the secrets {@code text} holds: enough to tell which, not to use one. */
        List<String> found(String text) {
            List<String> found = new ArrayList<>();
            byPrefix.forEach((prefix, secrets) -> {
                for (int at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) {
                    for (String secret : secrets) {
                        if (text.startsWith(secret, at)) {
                            found.add(secret.substring(0, 8) + "...");
                        }
                    }
                }
            });
            return found;
        }
    }

    /** The base64 body of the App's private key, as it would appear if it leaked. */
    private static String privateKeyBody() throws IOException {
        Path dir = TempDirs.create("key");
        String pem = Files.readString(TestApp.writeKeyFile(dir, "app-pkcs1.pem"));
        return pem.lines().filter(line -> !line.startsWith("-----")).findFirst().orElseThrow();
    }

    /**
     * Every record value and header of every topic, read to the end each partition had when
     * asked (every call above was answered before, so all its records are there).
     */
    private List<String> allTopicRecords() {
        Map<String, Object> props = new HashMap<>(tollgate.kafkaClientProperties());
        List<String> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (var topic : Topics.all()) {
                consumer.partitionsFor(topic.name()).forEach(p -> partitions.add(
                        new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read every topic to its end within 60 s:"
                            + " read " + records.size() + " values and headers; behind: "
                            + partitions.stream().filter(p -> consumer.position(p) < ends.get(
                                    p)).map(p -> p + " at " + consumer.position(p) + " of "
                                            + ends.get(p))
                                    .toList());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(
                        500))) {
                    records.add(new String(record.value() == null ? new byte[0] : record.value(),
                            StandardCharsets.ISO_8859_1));
                    record.headers().forEach(header -> records.add(new String(header.value(),
                            StandardCharsets.ISO_8859_1)));
                }
            }
        }
        return records;
    }

    private static List<Path> filesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(file -> {
                try {
                    return Files.size(file) < 64 * 1024 * 1024;
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
