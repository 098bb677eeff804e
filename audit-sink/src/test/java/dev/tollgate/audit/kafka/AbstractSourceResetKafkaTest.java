package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.AuditCommand;
import dev.tollgate.audit.AuditSinkApplication;
import dev.tollgate.audit.Await;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.SourceResets;
import dev.tollgate.audit.core.SourceResets.Reason;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The live sink over a source that was reset, through real brokers, against each store: the
 * Kafka cluster replaced by a new one (a second broker, so a new cluster ID: what
 * {@code --fresh} without wiping the audit store did), and the topics deleted and created again
 * (offsets start over in the same cluster). Every event of both lifetimes is stored once, each
 * chain that spans both has one source reset naming the clusters and offsets, the store's own
 * {@code verify} passes and lists every reset, and a restart adds no second one.
 */
@WithKafka
public abstract class AbstractSourceResetKafkaTest {

    private KafkaTestBroker broker;
    private GatewayTopics topics;

    /** The sink's arguments that choose and configure the store under test. */
    protected abstract List<String> storeArguments();

    /** A read-only view of the store (opened per call; null while it does not exist yet). */
    protected abstract Supplier<AuditStore> reader();

    /** The {@code audit verify} arguments for the store. */
    protected abstract List<String> verifyArguments();

    @BeforeEach
    void topics(KafkaTestBroker broker) throws Exception {
        this.broker = broker;
        topics = new GatewayTopics(broker).create();
    }

    private ConfigurableApplicationContext startSink(GatewayTopics on) {
        List<String> args = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + on
                .bootstrapServers(), "--tollgate.audit.group-id=" + on.group,
                "--tollgate.audit.topics=" + String.join(",", on.names())));
        args.addAll(storeArguments());
        return new SpringApplicationBuilder(AuditSinkApplication.class).web(
                WebApplicationType.NONE).run(args.toArray(String[]::new));
    }

    /** Runs the sink until the store holds every event produced so far, once; then stops it. */
    private GatewayTopics.Seen sinkUntilStored(GatewayTopics on) throws Exception {
        try (ConfigurableApplicationContext sink = startSink(on)) {
            return Await.until("every produced event stored once", () -> on.seen(reader()),
                    GatewayTopics.Seen::complete, GatewayTopics.Seen::wrong);
        }
    }

    private List<AuditRecord> chain(String chainId) {
        List<AuditRecord> records = new ArrayList<>();
        try (AuditStore store = reader().get()) {
            store.readChain(chainId, records::add);
        }
        return records;
    }

    private List<String> chainIds() {
        try (AuditStore store = reader().get()) {
            return store.chainIds();
        }
    }

    private StoreVerifier.Result verify() {
        try (AuditStore store = reader().get()) {
            return new StoreVerifier(Clock.systemUTC(), 1000).verify(store,
                    StoreVerifier.Progress.NONE);
        }
    }

    /** {@code audit verify} as a compliance officer runs it: exit status and output. */
    private Map.Entry<Integer, String> verifyCommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("verify"));
        args.addAll(verifyArguments());
        int status = new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock
                        .systemUTC(),
                Map.of()).run(args.toArray(String[]::new));
        return Map.entry(status, out.toString(StandardCharsets.UTF_8));
    }

    /**
     * Every chain that holds records of both lifetimes (event IDs {@code a-} then {@code b-}) has
     * exactly one reset, right before its first {@code b-} record, stating {@code reason}, the
     * clusters and the offsets around it; every other chain has none.
     */
    private Map<String, SourceResets.Details> assertOneResetWhereTheLifetimesMeet(Reason reason,
            String clusterBefore, String clusterAfter) {
        Map<String, SourceResets.Details> resets = new LinkedHashMap<>();
        for (String chainId : chainIds()) {
            List<AuditRecord> records = chain(chainId);
            int firstB = indexOf(records, "b-");
            boolean spans = indexOf(records, "a-") >= 0 && firstB >= 0;
            List<AuditRecord> chainResets = records.stream().filter(SourceResets::isReset)
                    .toList();
            if (!spans) {
                assertThat(chainResets).as(chainId).isEmpty();
                continue;
            }
            assertThat(chainResets).as(chainId).hasSize(1);
            AuditRecord reset = records.get(firstB - 1);
            assertThat(SourceResets.isReset(reset)).as("the record before %s's first new event",
                    chainId).isTrue();
            AuditRecord before = records.get(firstB - 2);
            AuditRecord after = records.get(firstB);
            SourceResets.Details details = SourceResets.details(reset).orElseThrow();
            assertThat(details).isEqualTo(new SourceResets.Details(reason, clusterBefore,
                    clusterAfter, before.sourceOffset(), after.sourceOffset()));
            assertThat(before.entry().source().cluster()).isEqualTo(clusterBefore);
            assertThat(after.entry().source().cluster()).isEqualTo(clusterAfter);
            resets.put(chainId, details);
        }
        assertThat(resets).as("chains that span both lifetimes").isNotEmpty();
        return resets;
    }

    private static int indexOf(List<AuditRecord> records, String eventIdPrefix) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).eventId().startsWith(eventIdPrefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aNewClusterStartsANewSourceInEveryChainItReachesAndVerifyListsEachReset()
            throws Exception {
        Instant now = Instant.now();
        topics.produceCalls("a-", 0, 4, now, "");
        GatewayTopics.Seen first = sinkUntilStored(topics);
        assertThat(first.resets()).isEmpty();
        String clusterA = topics.clusterId();

        KafkaTestBroker other = KafkaTestBroker.startSeparate();
        try {
            GatewayTopics replaced = topics.on(other).create();
            String clusterB = replaced.clusterId();
            assertThat(clusterB).isNotEqualTo(clusterA);
            replaced.produceCalls("b-", 0, 3, now, "");
            sinkUntilStored(replaced);
            // the sink restarts on the new cluster: redelivery from its offsets, no second reset
            replaced.produceCalls("b-", 3, 4, now, "");
            GatewayTopics.Seen seen = sinkUntilStored(replaced);

            Map<String, SourceResets.Details> resets = assertOneResetWhereTheLifetimesMeet(
                    Reason.CLUSTER_CHANGED, clusterA, clusterB);
            assertThat(seen.resets()).hasSize(resets.size());
            StoreVerifier.Result verified = verify();
            assertThat(verified.breaks()).isEmpty();
            assertThat(verified.resets()).isEqualTo(resets.size());
            Map.Entry<Integer, String> command = verifyCommand();
            assertThat(command.getKey()).as(command.getValue()).isEqualTo(AuditCommand.OK);
            assertThat(command.getValue()).contains("verify OK: ").contains(resets.size()
                    + " source reset(s) recorded");
            resets.keySet().forEach(chainId -> assertThat(command.getValue()).contains(
                    "source reset " + chainId + "#").contains(
                            "CLUSTER_CHANGED: cluster "
                                    + clusterA + " -> " + clusterB));
        } finally {
            other.close();
        }
    }

    @Test
    void topicsCreatedAgainStartANewSourceWhereTheOffsetsGoBack() throws Exception {
        Instant now = Instant.now();
        topics.produceCalls("a-", 0, 4, now, "");
        sinkUntilStored(topics);
        String cluster = topics.clusterId();

        topics.delete();
        topics.create();
        topics.produceCalls("b-", 0, 2, now, "");
        GatewayTopics.Seen seen = sinkUntilStored(topics);

        Map<String, SourceResets.Details> resets = assertOneResetWhereTheLifetimesMeet(
                Reason.OFFSETS_WENT_BACK, cluster, cluster);
        assertThat(seen.resets()).hasSize(resets.size());
        assertThat(resets.values()).allSatisfy(d -> assertThat(d.offset()).isLessThanOrEqualTo(
                d.previousOffset()));
        StoreVerifier.Result verified = verify();
        assertThat(verified.breaks()).isEmpty();
        Map.Entry<Integer, String> command = verifyCommand();
        assertThat(command.getKey()).as(command.getValue()).isEqualTo(AuditCommand.OK);
        assertThat(Stream.of(command.getValue().split("\n")).filter(l -> l.contains(
                "OFFSETS_WENT_BACK"))).hasSize(resets.size());
    }
}
