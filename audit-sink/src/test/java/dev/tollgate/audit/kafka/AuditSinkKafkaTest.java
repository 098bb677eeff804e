package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.AuditSinkApplication;
import dev.tollgate.audit.Await;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.audit.postgres.PostgresAuditStore;
import dev.tollgate.audit.postgres.PostgresMigrations;
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
import java.util.function.Supplier;
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
    private GatewayTopics topics;
    private String requests;
    private String decisions;
    private String results;
    private String group;
    private Instant early;
    private Instant late;

    @BeforeEach
    void topics(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topics = new GatewayTopics(broker).create();
        requests = topics.requests;
        decisions = topics.decisions;
        results = topics.results;
        group = topics.group;
        late = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        early = late.minus(Duration.ofHours(1));
    }

    /** Request, decision and result of calls {@code from} to {@code to}; call i by agent-(i%2). */
    private void produceCalls(int from, int to, Instant at) throws Exception {
        topics.produceCalls("", from, to, at, SECRET);
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

    /** Waits until the store holds every event produced, once, and says what it saw if not. */
    private GatewayTopics.Seen awaitStored(Supplier<AuditStore> store) throws Exception {
        return Await.until("every produced event stored once", () -> topics.seen(store),
                GatewayTopics.Seen::complete, GatewayTopics.Seen::wrong);
    }

    private static Supplier<AuditStore> embedded(Path storeDir) {
        return GatewayTopics.embedded(storeDir);
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
            GatewayTopics.Seen seen = awaitStored(() -> new PostgresAuditStore(owner));
            assertThat(seen.stored()).isEqualTo(6);
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
        // a producer retry delivering the same event twice, bytes that are no event at all, and
        // 40 bytes declaring a 2 GB string (which ran the sink out of memory before Avro's limits)
        produceCalls(2, 3, late);
        topics.produceRaw(results, "junk", "not avro".getBytes(StandardCharsets.UTF_8), late);
        String poison = topics.produceRaw(requests, "poison", TestEvents.declaringAHugeString(),
                late);

        try (ConfigurableApplicationContext sink = startSink(live)) {
            GatewayTopics.Seen seen = awaitStored(embedded(live));
            assertThat(seen.stored()).isEqualTo(20);
            Await.until("offsets committed after the append", () -> topics.seen(embedded(live)),
                    GatewayTopics.Seen::committedToTheEnd, GatewayTopics.Seen::wrong);
        }
        produceCalls(6, 8, late);
        try (ConfigurableApplicationContext sink = startSink(live)) {
            GatewayTopics.Seen seen = awaitStored(embedded(live));
            assertThat(seen.stored()).isEqualTo(26);
        }

        AuditStore store = EmbeddedAuditStore.openReadOnly(live);
        StoreVerifier.Result verified = new StoreVerifier(Clock.systemUTC(), 1000).verify(store,
                StoreVerifier.Progress.NONE);
        assertThat(verified.intact()).isTrue();
        assertThat(verified.records()).isEqualTo(26);
        List<AuditRecord> all = new ArrayList<>();
        store.readRange(null, null, all::add);
        assertThat(all).extracting(AuditRecord::eventId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(topics.expected());
        assertThat(all).filteredOn(r -> r.entry().eventType().equals("Undecodable"))
                .extracting(AuditRecord::eventId).hasSize(2).contains(poison);
        assertThat(all).filteredOn(r -> r.eventId().equals(poison)).singleElement().satisfies(
                r -> assertThat(r.entry().reason()).contains("exceeds maximum allowed"));
        assertThat(all).allSatisfy(r -> assertThat(r.entry().source().cluster()).as(
                "the cluster of %s", r.describe()).isNotBlank());
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
