package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.launcher.TollgateLauncher;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.TempDirs;
import dev.tollgate.tools.WithheldContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Promise 4: every event is kept, once, unchangeably. An agent tries to keep its calls out of the
 * audit store (a denied read, a call refused at the door) and to write a forged record into it
 * (an issue body holding a line shaped like a stored record); then someone with the disk deletes
 * one of its records, or cuts a chain off at one. Every call is in the store exactly once per
 * event, the forged line is data inside one record, the deletion fails {@code audit verify}
 * naming the chain, and the cut (whose remaining links still hold) fails it against the
 * checkpoints the sink signed.
 */
@ExtendWith(Standalone.Extension.class)
class EveryEventIsKeptOnceUnchangeablyTest {

    private static final Duration SETTLE = Duration.ofSeconds(90);

    private final Standalone tollgate;

    EveryEventIsKeptOnceUnchangeablyTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void anAgentKeepsNoCallOutOfTheStoreAndWritesNoRecordIntoItAndADeletionIsFound()
            throws Exception {
        Instant start = Instant.now().minusSeconds(1);
        String forgedEventId = "forged-" + UUID.randomUUID();
        String injection = "fixed\n{\"eventId\":\"" + forgedEventId + "\",\"eventType\":"
                + "\"PolicyDecided\",\"agentId\":\"writer\",\"decision\":\"ALLOW\"}\n\r\n";
        Map<String, String> requestIds = new LinkedHashMap<>();
        Map<String, Object> refused;
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            requestIds.put("read", requestId(writer.call("get_file", Map.of("owner", "acme",
                    "repo", "app", "path", "README.md"))));
            requestIds.put("denied", requestId(writer.call("get_file", Map.of("owner", "acme",
                    "repo", "app", "path", "secrets/prod.env"))));
            // in the title, which stays in the clear (the body is kept only as its proof)
            requestIds.put("write", requestId(writer.call("create_issue", Map.of("owner", "acme",
                    "repo", "app", "title", "audit-" + UUID.randomUUID() + injection, "body",
                    injection))));
            refused = writer.call("get_file", Map.of("owner", "acme", "repo", "app", "path",
                    "../outside"));
        }
        assertThat(refused).as("a traversal, refused at the door").containsEntry("status",
                "invalid_arguments");

        Path live = tollgate.runDir().resolve("audit");
        List<AuditRecord> records = awaitEvery(live, requestIds, start);

        for (Map.Entry<String, String> call : requestIds.entrySet()) {
            List<String> types = records.stream().filter(r -> call.getValue().equals(r.entry()
                    .requestId())).map(r -> r.entry().eventType()).filter(type -> !type.equals(
                            "TokenMinted"))
                    .toList();
            assertThat(types).as("the %s call's events in the store, each once", call.getKey())
                    .containsExactlyInAnyOrderElementsOf(call.getKey().equals("denied")
                            ? List.of("ToolCallRequested", "ToolCallCompleted")
                            : List.of("ToolCallRequested", "PolicyDecided",
                                    "ToolCallCompleted"));
        }
        assertThat(records.stream().filter(r -> requestIds.get("denied").equals(r.entry()
                .requestId()) && r.entry().eventType().equals("ToolCallCompleted")))
                .singleElement().satisfies(denial -> assertThat(denial.entry().outcome())
                        .isEqualTo("DENIED"));
        assertThat(records).as("the forged line became a record").noneMatch(r -> r.eventId()
                .equals(forgedEventId));
        assertThat(records.stream().map(AuditRecord::eventId).distinct().count()).as(
                "event IDs in the store, each once").isEqualTo(records.size());

        // The sink signs a checkpoint of every head each second: wait for one that covers the
        // agent's calls, then copy the checkpoints before the store (the store only grows, so
        // every copied checkpoint is covered by the copied store).
        List<AuditRecord> own = records.stream().filter(r -> requestIds.containsValue(r.entry()
                .requestId())).toList();
        Path checkpoints = tollgate.runDir().resolve(TollgateLauncher.AUDIT_CHECKPOINTS);
        awaitCheckpointCovering(checkpoints, own);
        Path snapshot = tollgate.dataDir().resolve("audit-copy-" + UUID.randomUUID());
        Path signed = Files.copy(checkpoints, Files.createDirectories(snapshot).resolve(
                "checkpoints.jsonl"));
        Path untouched = copy(live, snapshot.resolve("untouched"));
        assertThat(verify(untouched, signed)).as("verify of an untouched copy of the live store")
                .startsWith(AuditCommand.OK + "\n").contains("checkpoints OK");

        // Someone with the disk deletes one of the agent's records that has a successor.
        Map<String, Long> heads = headsOf(untouched);
        AuditRecord inside = own.stream().filter(r -> r.sequence() < heads.get(r.chainId()))
                .findFirst().orElseThrow(() -> new AssertionError("every record of the agent's "
                        + "calls is its chain's head: " + own.stream().map(
                                AuditRecord::describe).toList()));
        Path deleted = copy(untouched, snapshot.resolve("deleted"));
        rewrite(deleted, inside.chainId(), lines -> lines.removeIf(line -> line.contains(inside
                .eventId())));
        assertThat(verify(deleted, null)).as("verify after deleting %s", inside.describe())
                .startsWith(AuditCommand.VERIFICATION_FAILED + "\n").contains("verify FAILED",
                        inside.chainId(), "BROKEN");

        // Or cuts a chain off at the agent's record: the links still hold, the signed heads not.
        // A chain cut at its first record is gone whole, which the checkpoints name as missing.
        AuditRecord tail = own.reversed().stream().filter(r -> r.sequence() > 1).findFirst()
                .orElse(own.getLast());
        String finding = tail.sequence() > 1 ? "TRUNCATED" : "CHECKPOINT MISSING";
        Path truncated = copy(untouched, snapshot.resolve("truncated"));
        rewrite(truncated, tail.chainId(), lines -> {
            int at = lines.size();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(tail.eventId())) {
                    at = i;
                }
            }
            lines.subList(at, lines.size()).clear();
        });
        assertThat(verify(truncated, signed)).as("verify --checkpoints after cutting %s off at %s",
                tail.chainId(), tail.describe()).startsWith(
                        AuditCommand.VERIFICATION_FAILED
                                + "\n")
                .contains(finding, tail.chainId());
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /**
     * Keep proof, not copies: a file an agent reads reaches it (on {@code gateway.replies}, kept a
     * day) and is on no topic kept forever, the ones the audit replays: there only its digest.
     */
    @Test
    void aFileAnAgentReadIsOnNoTopicKeptForeverOnlyItsDigestIs() throws Exception {
        String marker = "private note " + UUID.randomUUID();
        String path = "notes/" + UUID.randomUUID() + ".md";
        tollgate.github().repo("acme", "app").files.put(path, marker);
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            Map<String, Object> answer = reader.call("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", path));
            assertThat(answer.toString()).as("the agent's answer").contains(marker);
        }
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                marker.getBytes(StandardCharsets.UTF_8)));

        Map<String, String> topics = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.all()) {
            topics.put(topic.name(), String.join("\n", recordsOf(topic.name())));
        }

        assertThat(topics.get(Topics.REPLIES.name())).as("the agent's copy (the control)")
                .contains(marker);
        assertThat(topics.get(Topics.RESULTS.name())).as("the kept copy").contains(digest);
        for (Topic<?> topic : Topics.audited()) {
            assertThat(topics.get(topic.name())).as("%s, kept forever", topic.name())
                    .doesNotContain(marker);
        }
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /**
     * Keep proof, not copies, of what agents write: a pushed file and an issue's body reach GitHub
     * whole, travel whole only on {@code gateway.contents} (kept a day), and every topic kept
     * forever holds their proofs instead.
     */
    @Test
    void whatAnAgentWritesReachesGitHubAndIsOnNoTopicKeptForeverOnlyItsProofIs()
            throws Exception {
        String file = "#!/bin/sh\n# deploy notes " + UUID.randomUUID() + "\n";
        String body = "the incident, in detail " + UUID.randomUUID();
        String branch = "agent-kept-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> calls;
        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            Map<String, Object> pushed = writer.call("push_files", Map.of("owner", "acme", "repo",
                    "app", "branch", branch, "message", "Add the script", "files", List.of(Map
                            .of("path", "bin/deploy", "content", file, "executable", true))));
            assertThat(pushed).as("the push").containsEntry("status", "succeeded");
            Map<String, Object> filed = writer.call("create_issue", Map.of("owner", "acme",
                    "repo", "app", "title", "Incident", "body", body));
            assertThat(filed).as("the issue").containsEntry("status", "succeeded");
            calls = List.of(requestId(pushed), requestId(filed));
        }
        assertThat(tollgate.github().repo("acme", "app").plainIssues()).as("GitHub got the body")
                .anySatisfy(issue -> assertThat(issue.get("body").asString()).startsWith(body));
        assertThat(tollgate.github().requests().stream().map(Object::toString)).as(
                "GitHub got the file").anySatisfy(
                        request -> assertThat(request).contains(
                                "deploy notes"));

        Map<String, String> topics = new LinkedHashMap<>();
        for (Topic<?> topic : Topics.all()) {
            topics.put(topic.name(), String.join("\n", recordsOf(topic.name())));
        }
        assertThat(topics.get(Topics.CONTENTS.name())).as("on its way to GitHub (the control)")
                .contains(body, "deploy notes");
        assertThat(topics.get(Topics.REQUESTS.name())).as("the requests kept forever").contains(
                WithheldContent.proofOf(file), WithheldContent.proofOf(body), "bin/deploy",
                branch);
        for (Topic<?> topic : Topics.audited()) {
            assertThat(topics.get(topic.name())).as("%s, kept forever", topic.name())
                    .doesNotContain(body).doesNotContain("deploy notes");
        }

        // and the audit store, built from those topics, holds the proofs and no content
        List<AuditRecord> stored = awaitAnswered(tollgate.runDir().resolve("audit"), calls);
        String held = stored.stream().map(r -> r.entry().contextJson()).reduce("", String::concat);
        assertThat(held).as("the two calls' records in the store").contains(WithheldContent
                .proofOf(file), WithheldContent.proofOf(body)).doesNotContain(body)
                .doesNotContain("deploy notes");
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /** The records of {@code requestIds} once the store holds each one's final answer. */
    private static List<AuditRecord> awaitAnswered(Path store, List<String> requestIds)
            throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<AuditRecord> own = List.of();
        while (System.nanoTime() < deadline) {
            own = readAll(store).stream()
                    .filter(r -> r.entry().requestId() != null
                            && requestIds.contains(r.entry().requestId()))
                    .toList();
            List<AuditRecord> now = own;
            if (requestIds.stream().allMatch(id -> now.stream().anyMatch(r -> id.equals(r.entry()
                    .requestId()) && r.entry().eventType().equals("ToolCallCompleted")))) {
                return own;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("within " + SETTLE + " the audit store did not hold the final"
                + " answers of " + requestIds + "; it held " + own.stream().map(r -> r.entry()
                        .requestId() + " " + r.entry().eventType()).toList());
    }

    /** Every record value of {@code topic}, as text, read to its end as of now. */
    private List<String> recordsOf(String topic) {
        Map<String, Object> props = new HashMap<>(tollgate.kafkaClientProperties());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(
                    p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end within "
                            + SETTLE + ": read " + values.size() + " records");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(
                        record.value() == null
                                ? ""
                                : new String(record.value(), StandardCharsets.UTF_8)));
            }
        }
        return values;
    }

    private static String requestId(Map<String, Object> answer) {
        assertThat(answer).as("an accepted call's answer").containsKey("request_id");
        return (String) answer.get("request_id");
    }

    /**
     * The store once it holds every call's final answer and the door's count of the refused
     * call; what it held, when it gives up.
     */
    private static List<AuditRecord> awaitEvery(Path store, Map<String, String> requestIds,
            Instant since) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<AuditRecord> records = List.of();
        while (System.nanoTime() < deadline) {
            records = readAll(store);
            List<AuditRecord> now = records;
            boolean answered = requestIds.values().stream().allMatch(id -> now.stream().anyMatch(
                    r -> id.equals(r.entry().requestId()) && r.entry().eventType().equals(
                            "ToolCallCompleted")));
            boolean counted = now.stream().anyMatch(r -> r.entry().eventType().equals(
                    "AccessRefused") && "writer".equals(r.entry().agentId())
                    && "refused.invalid_arguments".equals(r.entry().action()) && !r.entry()
                            .occurredAt().isBefore(since));
            if (answered && counted) {
                return records;
            }
            Thread.sleep(250);
        }
        List<AuditRecord> held = records;
        throw new AssertionError("within " + SETTLE + " the audit store did not hold every "
                + "call's answer and the refusal; it held " + held.size() + " records, of "
                + "these calls: " + requestIds.values().stream().map(id -> id + "=" + held
                        .stream().filter(r -> id.equals(r.entry().requestId())).map(r -> r
                                .entry().eventType())
                        .toList()).toList()
                + ", refusals since the start: " + held.stream().filter(r -> r.entry()
                        .eventType().equals("AccessRefused")
                        && !r.entry().occurredAt()
                                .isBefore(since))
                        .map(r -> r.entry().agentId() + " "
                                + r.entry().action())
                        .toList());
    }

    private static List<AuditRecord> readAll(Path store) {
        List<AuditRecord> records = new ArrayList<>();
        try (var reader = EmbeddedAuditStore.openReadOnly(store)) {
            reader.readRange(Instant.EPOCH, Instant.now().plusSeconds(60), records::add);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the audit store " + store + ": " + e, e);
        }
        return records;
    }

    /**
     * {@code audit verify}'s exit code, a newline, and what it printed; against the signed
     * {@code checkpoints} unless null.
     */
    private String verify(Path store, Path checkpoints) {
        List<String> args = new ArrayList<>(List.of("verify", "--store", "embedded", "--dir",
                store.toString()));
        if (checkpoints != null) {
            args.addAll(List.of("--checkpoints", checkpoints.toString(), "--public-key", tollgate
                    .checkpointPublicKey().toString()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new AuditCommand(new PrintStream(out, true), new PrintStream(err, true), Clock
                .systemUTC(), Map.of()).run(args.toArray(String[]::new));
        return exit + "\n" + out + err;
    }

    /** Waits for a signed checkpoint at or past every one of {@code records}. */
    private static void awaitCheckpointCovering(Path file, List<AuditRecord> records)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Map<String, Long> signed = Map.of();
        while (System.nanoTime() < deadline) {
            signed = new LinkedHashMap<>();
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.isEmpty() ? List.<String>of() : List.of(lines.getLast())) {
                    for (JsonNode head : Standalone.JSON.readTree(line).path("heads")) {
                        signed.put(head.path("chain").asString(), head.path("sequence")
                                .asLong());
                    }
                }
            }
            Map<String, Long> last = signed;
            if (records.stream().allMatch(r -> last.getOrDefault(r.chainId(), -1L) >= r
                    .sequence())) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no signed checkpoint in " + file + " covered the agent's "
                + "records within " + SETTLE + ": the last signed heads " + signed
                + ", the records " + records.stream().map(AuditRecord::describe).toList());
    }

    /** Each chain's head sequence in the store at {@code dir}. */
    private static Map<String, Long> headsOf(Path dir) {
        try (var store = EmbeddedAuditStore.openReadOnly(dir)) {
            return store.heads().stream().collect(Collectors.toMap(ChainHead::chainId,
                    ChainHead::sequence));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the heads of " + dir + ": " + e, e);
        }
    }

    /** Rewrites one chain's file of the store at {@code dir} line by line. */
    private static void rewrite(Path dir, String chainId, Consumer<List<String>> edit)
            throws IOException {
        Path chain = dir.resolve("chains").resolve(chainId + ".jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(chain));
        int before = lines.size();
        edit.accept(lines);
        assertThat(lines.size()).as("lines of %s after the edit", chain).isLessThan(before);
        Files.write(chain, lines);
    }

    /** A copy of the live store's files, without its lock (the sink keeps writing the live one). */
    private static Path copy(Path from, Path to) throws java.io.IOException {
        return TempDirs.copyTree(from, to, "lock");
    }
}
