package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.EventMeta;
import dev.tollgate.events.GrantSummary;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class GrantEventsTest {

    private static final ToolGrant GRANT = new ToolGrant("bots / coders (line 4)", List.of(List
            .of(Glob.of("bot-*")), List.of(Glob.of("coder"), Glob.of("ci-*"))), List.of(List.of(),
                    List.of(Glob.of("dev"))),
            List.of("octo/*", "other/app"), EnumSet.of(
                    Tool.GET_FILE, Tool.PUSH_FILES),
            false);
    private static final ToolGrant MONITOR = new ToolGrant("rule set 'trial' (monitor mode)",
            List.of(List.of()), List.of(List.of()), List.of(), EnumSet.allOf(Tool.class), true);

    private static PolicyChanged loaded(List<GrantSummary> grants) {
        return PolicyChanged.newBuilder().setMeta(EventMeta.newBuilder().setEventId("e-1")
                .setOccurredAt(Instant.parse("2026-12-04T10:00:00Z")).setProducer(
                        Roles.DECISION_WORKER)
                .build()).setAction(PolicyAction.LOADED)
                .setSource("policy.toml").setPolicyVersion("sha256:abc").setRuleCount(2)
                .setGrants(grants).build();
    }

    @Test
    void grantsReadBackAsWritten() throws IOException {
        byte[] bytes = AvroSingleObjectCodec.shared().encode(loaded(GrantEvents.toEvent(List.of(
                GRANT, MONITOR))));

        PolicyChanged read = AvroSingleObjectCodec.shared().decode(bytes, PolicyChanged.class);

        assertThat(GrantEvents.fromEvent(read.getGrants())).containsExactly(GRANT, MONITOR);
    }

    @Test
    void aToolThisReaderDoesNotKnowIsLeftOut() {
        GrantSummary newer = GrantSummary.newBuilder().setName("g").setAgents(List.of())
                .setEnvironments(List.of()).setRepositories(List.of("octo/app")).setTools(List.of(
                        "get_file", "teleport_repository"))
                .setMonitor(false).build();

        assertThat(GrantEvents.fromEvent(List.of(newer))).singleElement().satisfies(
                grant -> assertThat(grant.tools()).containsExactly(Tool.GET_FILE));
    }

    @Test
    void aPolicyChangeWrittenBeforeGrantsReadsWithoutThem() throws IOException {
        Schema v2 = EventTypes.of(PolicyChanged.class).released().get(1);
        byte[] bytes = SampleEvents.writtenWith(v2, loaded(null));

        PolicyChanged read = AvroSingleObjectCodec.shared().decode(bytes, PolicyChanged.class);

        assertThat(v2.getField("grants")).isNull();
        assertThat(read.getGrants()).as("unknown, so an ingress lists every tool").isNull();
        assertThat(read.getPolicyVersion()).isEqualTo("sha256:abc");
    }

    @Test
    void grantsTooLargeForOneRecordAreNotPublishedAndTheEventStillIs() throws IOException {
        List<ToolGrant> many = new java.util.ArrayList<>();
        Set<Tool> githubTools = EnumSet.copyOf(Arrays.stream(Tool.values()).filter(tool -> tool
                .forge() == Forge.GITHUB).toList());
        for (int i = 0; i < 5_000; i++) {
            many.add(new ToolGrant("grant number " + i + " for the team's many repositories",
                    GRANT.agents(), GRANT.environments(), List.of("octo/repository-" + i),
                    githubTools, false)); // a grant speaks about one forge
        }

        assertThat(GrantEvents.toEventWithin(List.of(GRANT, MONITOR))).hasSize(2);
        assertThat(GrantEvents.toEventWithin(many)).isNull();
        byte[] bytes = AvroSingleObjectCodec.shared().encode(loaded(GrantEvents.toEventWithin(
                many)));
        assertThat(bytes.length).as("the load event stays small").isLessThan(4096);
        assertThat(AvroSingleObjectCodec.shared().encode(loaded(GrantEvents.toEvent(many.subList(
                0, 300)))).length).as("a policy within the limit publishes its grants")
                .isLessThan(GrantEvents.MAX_GRANT_BYTES);
    }
}
