package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.AuditSinkApplication;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.audit.postgres.PostgresAuditStore;
import dev.tollgate.audit.postgres.PostgresMigrations;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import dev.tollgate.testsupport.WithKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The live sink and replay through a real broker: every event of every call stored once, offsets
 * committed after the append, a restart that neither loses nor duplicates, and replays that
 * reproduce the live store's chains exactly.
 */
@WithKafka
class AuditSinkKafkaTest {

    private static final String SECRET = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

    @TempDir
    Path dir;

    private KafkaTestBroker broker;
    private String requests;
    private String decisions;
    private String results;
    private String group;
    private Instant early;
    private Instant late;

    @BeforeEach
    void topics(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        requests = KafkaTestBroker.uniqueName("gateway.requests");
        decisions = KafkaTestBroker.uniqueName("gateway.decisions");
        results = KafkaTestBroker.uniqueName("gateway.results");
        group = KafkaTestBroker.uniqueName("audit-sink");
        try (Admin admin = broker.admin()) {
            admin.createTopics(Stream.of(requests, decisions, results).map(t -> new NewTopic(t, 2,
                    (short) 1)).toList()).all().get();
        }
        late = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        early = late.minus(Duration.ofHours(1));
    }

    /** Request, decision and result of {@code calls} calls; call i by agent-(i%2). */
    private void produceCalls(int from, int to, Instant at) {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(), new EventSerializer<>())) {
            for (int i = from; i < to; i++) {
                String requestId = "req-" + i;
                ToolCallRequested request = TestEvents.request("ev-req-" + i, requestId, "agent-"
                        + (i % 2), "{\"title\":\"t" + i + "\",\"body\":\"" + SECRET + "\"}");
                producer.send(new ProducerRecord<>(requests, null, at.toEpochMilli(), requestId,
                        request));
                producer.send(new ProducerRecord<>(decisions, null, at.toEpochMilli(), requestId,
                        TestEvents.decision("ev-dec-" + i, request, i % 3 != 0)));
                producer.send(new ProducerRecord<>(results, null, at.toEpochMilli(), requestId,
                        TestEvents.result("ev-res-" + i, requestId, CallStatus.SUCCEEDED, null)));
            }
            producer.flush();
        }
    }

    private void produceRaw(String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.producerProps(),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, null, late.toEpochMilli(), key, value));
            producer.flush();
        }
    }

    private ConfigurableApplicationContext startSink(Path storeDir) {
        return new SpringApplicationBuilder(AuditSinkApplication.class).web(
                WebApplicationType.NONE).run(
                        "--spring.kafka.bootstrap-servers=" + broker
                                .bootstrapServers(),
                        "--tollgate.audit.store=embedded",
                        "--tollgate.audit.embedded.dir=" + storeDir,
                        "--tollgate.audit.group-id=" + group,
                        "--tollgate.audit.topics=" + String.join(",", requests, decisions, results),
                        "--spring.kafka.consumer.max-poll-records=7");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static long count(Path storeDir) {
        return Files.isDirectory(storeDir.resolve("chains"))
                ? EmbeddedAuditStore.openReadOnly(
                        storeDir).count()
                : 0;
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (String topic : List.of(requests, decisions, results)) {
                for (int p = 0; p < 2; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, Long> ends = new java.util.HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info
                    .offset()));
            return ends;
        }
    }

    private Map<TopicPartition, Long> committed() throws Exception {
        try (Admin admin = broker.admin()) {
            Map<TopicPartition, Long> committed = new java.util.HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    committed.put(tp, om.offset());
                }
            });
            return committed;
        }
    }

    private static Map<TopicPartition, Long> nonZero(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, Long> filtered = new java.util.HashMap<>(offsets);
        filtered.values().removeIf(v -> v == 0);
        return filtered;
    }

    private String replay(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("replay", "--bootstrap-servers", broker
                .bootstrapServers(), "--topics", String.join(",", requests, decisions, results)));
        all.addAll(List.of(args));
        int status = new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC(), Map.of())
                .run(all.toArray(String[]::new));
        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<AuditRecord> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(CanonicalEncoding::parseLine).toList();
    }

    @Test
    void storesIntoPostgresAsTheLeastPrivilegedWriterRole() throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String url = database.freshSchemaUrl("audit_sink");
        PGSimpleDataSource owner = new PGSimpleDataSource();
        owner.setUrl(url);
        owner.setUser(database.user());
        owner.setPassword(database.password());
        PostgresMigrations.migrate(owner);
        String login = KafkaTestBroker.uniqueName("tg_sink").replace('-', '_');
        Path passwordFile = dir.resolve("sink-password");
        Files.writeString(passwordFile, "sink-pw\n");
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'sink-pw'");
            s.execute("GRANT " + PostgresMigrations.DEFAULT_WRITER_ROLE + " TO " + login);
        }
        AuditStore store = new PostgresAuditStore(owner);
        produceCalls(0, 2, late);
        produceCalls(0, 1, late);
        try (ConfigurableApplicationContext sink = new SpringApplicationBuilder(
                AuditSinkApplication.class).web(WebApplicationType.NONE).run(
                        "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "--tollgate.audit.store=postgres", "--tollgate.audit.postgres.url=" + url,
                        "--tollgate.audit.postgres.user=" + login,
                        "--tollgate.audit.postgres.password-file=" + passwordFile,
                        "--tollgate.audit.group-id=" + group, "--tollgate.audit.topics=" + String
                                .join(",", requests, decisions, results))) {
            await("6 audit records in PostgreSQL", () -> store.count() == 6);
        } finally {
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("DROP ROLE " + login);
            }
        }

        StoreVerifier.Result verified = new StoreVerifier(Clock.systemUTC(), 1000).verify(store,
                StoreVerifier.Progress.NONE);
        assertThat(verified.intact()).isTrue();
        assertThat(verified.records()).isEqualTo(6);
        Path replayed = dir.resolve("replayed.jsonl");
        String summary = replay("--out", replayed.toString());
        for (ChainHead head : store.heads()) {
            assertThat(summary).contains(head.chainId() + "@" + head.sequence() + "="
                    + head.hash());
        }
    }

    @Test
    void keepsEveryEventOnceAcrossRedeliveryAndRestartAndReplaysReproduceTheChains()
            throws Exception {
        Path live = dir.resolve("live");
        produceCalls(0, 3, early);
        produceCalls(3, 6, late);
        // a producer retry delivering the same event twice, and bytes that are no event at all
        produceCalls(2, 3, late);
        produceRaw(results, "junk", "not avro".getBytes(StandardCharsets.UTF_8));

        try (ConfigurableApplicationContext sink = startSink(live)) {
            await("19 audit records", () -> count(live) == 19);
            await("offsets committed after the append", () -> {
                try {
                    return committed().equals(nonZero(endOffsets()));
                } catch (Exception e) {
                    return false;
                }
            });
        }
        produceCalls(6, 8, late);
        try (ConfigurableApplicationContext sink = startSink(live)) {
            await("25 audit records", () -> count(live) == 25);
        }

        AuditStore store = EmbeddedAuditStore.openReadOnly(live);
        StoreVerifier.Result verified = new StoreVerifier(Clock.systemUTC(), 1000).verify(store,
                StoreVerifier.Progress.NONE);
        assertThat(verified.intact()).isTrue();
        assertThat(verified.records()).isEqualTo(25);
        List<AuditRecord> all = new ArrayList<>();
        store.readRange(null, null, all::add);
        assertThat(all).extracting(AuditRecord::eventId).doesNotHaveDuplicates().contains(
                "ev-req-0", "ev-dec-7", "ev-res-5");
        assertThat(all).filteredOn(r -> r.entry().eventType().equals("Undecodable"))
                .singleElement().satisfies(r -> assertThat(r.chainId()).startsWith(results));
        for (Path file : Files.list(live.resolve("chains")).toList()) {
            assertThat(Files.readString(file)).doesNotContain(SECRET);
        }
        assertThat(all).filteredOn(r -> r.eventId().equals("ev-req-1")).singleElement()
                .satisfies(r -> assertThat(r.entry().contextJson()).contains(
                        "[REDACTED:github_token]"));

        // replay the topics from the beginning, twice: identical, and the same chains as live
        Path first = dir.resolve("replay-1.jsonl");
        Path second = dir.resolve("replay-2.jsonl");
        String summary = replay("--out", first.toString());
        replay("--out", second.toString());
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first));
        List<AuditRecord> replayed = lines(first);
        assertThat(replayed).containsExactlyInAnyOrderElementsOf(all);
        for (ChainHead head : store.heads()) {
            assertThat(summary).contains(head.chainId() + "@" + head.sequence() + "="
                    + head.hash());
        }

        // rebuilding a store from the topics gives the live heads
        Path rebuilt = dir.resolve("rebuilt");
        replay("--into-store", "embedded", "--into-dir", rebuilt.toString());
        assertThat(EmbeddedAuditStore.openReadOnly(rebuilt).heads()).isEqualTo(store.heads());

        // filters and a start time
        Path agent = dir.resolve("agent.jsonl");
        replay("--agent", "agent-1", "--out", agent.toString());
        // every event of agent-1's requests, including results that name another agent field
        java.util.Set<String> agentRequests = new java.util.HashSet<>();
        all.stream().filter(r -> "agent-1".equals(r.entry().agentId())).forEach(r -> agentRequests
                .add(r.entry().requestId()));
        assertThat(lines(agent)).extracting(AuditRecord::eventId)
                .containsExactlyInAnyOrderElementsOf(
                        all.stream().filter(r -> agentRequests.contains(r.entry().requestId())).map(
                                AuditRecord::eventId).toList())
                .contains("ev-res-1");
        Path recent = dir.resolve("recent.jsonl");
        replay("--from", late.toString(), "--out", recent.toString());
        assertThat(lines(recent)).extracting(AuditRecord::eventId).doesNotContain("ev-req-0",
                "ev-req-1").contains("ev-req-3", "ev-req-7");
        Path repository = dir.resolve("repository.jsonl");
        replay("--repository", "Octo/Hello", "--out", repository.toString());
        assertThat(lines(repository)).extracting(AuditRecord::eventId).contains("ev-req-4",
                "ev-dec-4", "ev-res-4").doesNotContain("undecodable:" + results + "-0@0",
                        "undecodable:" + results + "-1@0");
        Path request = dir.resolve("request.jsonl");
        replay("--request-id", "req-4", "--out", request.toString());
        assertThat(lines(request)).extracting(AuditRecord::eventId).containsExactlyInAnyOrder(
                "ev-req-4", "ev-dec-4", "ev-res-4");
    }
}
