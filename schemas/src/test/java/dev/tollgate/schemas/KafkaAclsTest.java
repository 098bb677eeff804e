package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The one ACL table: writers from the catalogue, readers from the code, nothing more. */
class KafkaAclsTest {

    private static final List<KafkaAcls.Grant> ALL = KafkaAcls.grants(
            KafkaAcls.STANDALONE_ROLES);

    private static Set<String> principals(AclOperation operation, Topic<?> topic) {
        return ALL.stream().filter(g -> g.operation() == operation && g
                .resourceType() == ResourceType.TOPIC && g.name().equals(topic.name())).map(
                        g -> g.role())
                .collect(Collectors.toSet());
    }

    @Test
    void eachRoleWritesExactlyTheTopicsTheCatalogueNamesItAWriterOf() {
        for (String role : KafkaAcls.STANDALONE_ROLES) {
            Set<String> written = ALL.stream().filter(g -> g.role().equals(role) && g
                    .operation() == AclOperation.WRITE && g.resourceType() == ResourceType.TOPIC)
                    .map(KafkaAcls.Grant::name).collect(Collectors.toSet());
            Set<String> catalogue = Topics.all().stream().filter(t -> t.writers().contains(role))
                    .map(Topic::name).collect(Collectors.toSet());

            assertThat(written).as(role).isEqualTo(catalogue);
        }
    }

    @Test
    void onlyTheDecisionWorkerWritesDecisionsAndOnlyTheExecutorReadsThem() {
        assertThat(principals(AclOperation.WRITE, Topics.DECISIONS)).containsExactly(
                Roles.DECISION_WORKER);
        assertThat(principals(AclOperation.READ, Topics.DECISIONS)).containsExactlyInAnyOrder(
                Roles.EXECUTOR_WORKER, Roles.AUDIT_SINK);
    }

    @Test
    void answersAreReadOnlyByTheIngressAndTheirKeptCopiesOnlyByTheAuditSink() {
        assertThat(principals(AclOperation.READ, Topics.REPLIES)).as(
                "the agents' copies, file contents included").containsExactly(Roles.INGRESS);
        assertThat(principals(AclOperation.READ, Topics.RESULTS)).as(
                "the kept copies, contents digested").containsExactly(Roles.AUDIT_SINK);
        assertThat(principals(AclOperation.READ, Topics.REQUESTS)).as("the ingress reads every"
                + " replica's requests (KafkaListeners)").containsExactlyInAnyOrder(
                        Roles.DECISION_WORKER, Roles.INGRESS, Roles.AUDIT_SINK);
        assertThat(principals(AclOperation.READ, Topics.AGENT_TOKENS)).as(
                "the tokens' state, replayed at start-up").containsExactly(Roles.INGRESS);
        assertThat(principals(AclOperation.READ, Topics.TOKEN_HISTORY)).as(
                "every change, kept forever").containsExactly(Roles.AUDIT_SINK);
        assertThat(principals(AclOperation.WRITE, Topics.TOKEN_HISTORY)).containsExactly(
                Roles.INGRESS);
    }

    @Test
    void theAuditSinkReadsEveryKeptTopicAndTheLauncherOnlyDescribesThem() {
        assertThat(KafkaAcls.readsOf(Roles.AUDIT_SINK)).containsExactlyElementsOf(Topics
                .audited()).doesNotContain(Topics.REPLIES).contains(Topics.RESULTS);
        assertThat(ALL.stream().filter(g -> g.role().equals(Roles.LAUNCHER))).allSatisfy(
                g -> assertThat(g.operation()).isEqualTo(AclOperation.DESCRIBE)).hasSize(
                        Topics
                                .all().size());
    }

    @Test
    void everyGrantAllowsOneNamedResourceToOneRoleAndNothingTouchesTheCluster() {
        for (AclBinding binding : KafkaAcls.bindings(KafkaAcls.STANDALONE_ROLES)) {
            assertThat(binding.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
            assertThat(binding.entry().principal()).startsWith("User:tollgate-").isNotEqualTo(
                    "User:" + KafkaAcls.BROKER_USER);
            assertThat(binding.pattern().resourceType()).isIn(ResourceType.TOPIC,
                    ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID);
            assertThat(binding.pattern().name()).isNotEqualTo("*").isNotBlank();
            assertThat(binding.entry().operation()).isIn(AclOperation.READ, AclOperation.WRITE,
                    AclOperation.DESCRIBE);
        }
        assertThat(ALL.stream().filter(g -> g.pattern() == PatternType.PREFIXED)).allSatisfy(
                g -> {
                    assertThat(g.role()).isEqualTo(Roles.DECISION_WORKER);
                    assertThat(g.resourceType()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
                    assertThat(g.name()).isEqualTo("tollgate-decision-");
                });
    }

    @Test
    void eachConsumerRoleJoinsOnlyItsOwnGroup() {
        assertThat(ALL.stream().filter(g -> g.resourceType() == ResourceType.GROUP).map(g -> g
                .role() + "=" + g.name())).containsExactlyInAnyOrder(
                        "decision-worker=tollgate-decision-worker",
                        "executor-worker=tollgate-executor",
                        "audit-sink=tollgate-audit-sink");
    }

    @Test
    void principalsAreNamedAfterTheirRolesAndUnknownRolesHaveNone() {
        assertThat(KafkaAcls.principalOf(Roles.INGRESS)).isEqualTo("User:tollgate-ingress");
        assertThatThrownBy(() -> KafkaAcls.userOf("broker")).hasMessageContaining(
                "no Kafka principal for role 'broker'");
        assertThat(KafkaAcls.describe(List.of(Roles.INGRESS))).contains(
                "WRITE on gateway.contents, gateway.requests").contains(
                        "READ on gateway.requests, gateway.replies")
                .doesNotContain(
                        "gateway.decisions");
        // what agents write is read back only by the executor, which performs it
        assertThat(KafkaAcls.describe(List.of(Roles.EXECUTOR_WORKER))).contains(
                "READ on gateway.decisions, gateway.contents");
        assertThat(KafkaAcls.describe(List.of(Roles.DECISION_WORKER))).doesNotContain(
                "gateway.contents");
        assertThat(KafkaAcls.describe(List.of(Roles.AUDIT_SINK))).doesNotContain(
                "gateway.contents");
    }
}
