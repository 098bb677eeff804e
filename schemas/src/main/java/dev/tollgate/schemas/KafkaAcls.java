package dev.tollgate.schemas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on Tollgate's Kafka topics: one principal per role ({@code User:tollgate-<role>},
 * SASL/SCRAM-SHA-512) and the ACLs that let it write only the topics the catalogue says it writes
 * ({@link Topic#writers()}) and read only the topics its code reads. Everything else is denied: the
 * broker runs {@code StandardAuthorizer} with {@code allow.everyone.if.no.acl.found=false}, and only
 * the broker's own principal ({@link #BROKER_USER}) is a super user.
 *
 * <p>The one table: the standalone launcher creates these ACLs, and {@link KafkaSetupScript}
 * prints them as the init step of compose and Kubernetes.
 */
public final class KafkaAcls {

    /** The broker's (and controller's) own principal: the only super user. */
    public static final String BROKER_USER = "tollgate-broker";
    /** The decision workers' consumer group ({@code tollgate.decision.group-id}). */
    public static final String DECISION_GROUP = "tollgate-decision-worker";
    /** The executors' consumer group ({@code tollgate.executor.group-id}). */
    public static final String EXECUTOR_GROUP = "tollgate-executor";
    /** The audit sinks' consumer group ({@code tollgate.audit.group-id}). */
    public static final String AUDIT_SINK_GROUP = "tollgate-audit-sink";
    /**
     * The decision workers' transactional IDs start with this
     * ({@code tollgate.decision.transactional-id-prefix} and a dash).
     */
    public static final String DECISION_TRANSACTIONAL_ID_PREFIX = "tollgate-decision";

    /** The roles deployed as their own processes, each with its own principal. */
    public static final List<String> DEPLOYED_ROLES = List.of(Roles.INGRESS,
            Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER, Roles.AUDIT_SINK);
    /** The standalone run adds the launcher's own health listener (topics described only). */
    public static final List<String> STANDALONE_ROLES = List.of(Roles.INGRESS,
            Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER, Roles.AUDIT_SINK, Roles.LAUNCHER);

    /**
     * One permission of one role.
     *
     * @param role the role (its principal is {@link #principalOf(String)})
     * @param resourceType topic, consumer group or transactional ID
     * @param name the resource's name, or its prefix when {@code pattern} is PREFIXED
     * @param pattern LITERAL or PREFIXED
     * @param operation what it may do there
     * @param why which code needs it
     */
    public record Grant(String role, ResourceType resourceType, String name, PatternType pattern,
            AclOperation operation, String why) {

        public AclBinding binding() {
            return new AclBinding(new ResourcePattern(resourceType, name, pattern),
                    new AccessControlEntry(principalOf(role), "*", operation,
                            AclPermissionType.ALLOW));
        }
    }

    /** A topic a role reads, and the code that reads it. */
    private record Read(Topic<?> topic, String why) {
    }

    /**
     * What each role reads, from its code. Writers come from the catalogue; readers are here,
     * beside it, because reading is the consumer's business.
     */
    private static final Map<String, List<Read>> READS = reads();

    private KafkaAcls() {
    }

    private static Map<String, List<Read>> reads() {
        Map<String, List<Read>> reads = new LinkedHashMap<>();
        reads.put(Roles.INGRESS, List.of(new Read(Topics.REQUESTS,
                "every replica's requests, so that any replica knows a request still pending"
                        + " (get_request_status; ingress KafkaListeners)"),
                new Read(Topics.REPLIES,
                        "its reply partition (ingress KafkaListeners)"),
                new Read(Topics.AGENT_TOKENS,
                        "token families and revocations (ingress KafkaListeners)"),
                new Read(Topics.POLICY,
                        "the grants of the policy in force, to list an agent's tools (ingress"
                                + " KafkaListeners)"),
                new Read(Topics.INSTALLATIONS,
                        "the installation registry for webhooks (ingress WebhookConfiguration)")));
        reads.put(Roles.DECISION_WORKER, List.of(new Read(Topics.REQUESTS,
                "the requests it decides (decision-worker DecisionLoop)"),
                new Read(
                        Topics.INSTALLATIONS,
                        "the installation registry (decision-worker InstallationConfiguration)")));
        reads.put(Roles.EXECUTOR_WORKER, List.of(new Read(Topics.DECISIONS,
                "the decisions it performs (executor-worker DecisionConsumer)"),
                new Read(Topics.CONTENTS,
                        "the withheld content of a write, at the offset its request names"
                                + " (executor-worker KafkaContentSource)"),
                new Read(
                        Topics.INSTALLATIONS,
                        "the installation registry (executor-worker"
                                + " ExecutorInstallationsConfiguration)")));
        reads.put(Roles.AUDIT_SINK, Topics.audited().stream().map(topic -> new Read(topic,
                "every event is kept (audit-sink AuditSinkConfiguration, replay)")).toList());
        reads.put(Roles.LAUNCHER, List.of());
        return Map.copyOf(reads);
    }

    /** The Kafka user name of a role: {@code tollgate-<role>}. */
    public static String userOf(String role) {
        if (!STANDALONE_ROLES.contains(role)) {
            throw new IllegalArgumentException("no Kafka principal for role '" + role
                    + "'; roles: " + STANDALONE_ROLES);
        }
        return "tollgate-" + role;
    }

    /** {@code User:tollgate-<role>}. */
    public static String principalOf(String role) {
        return "User:" + userOf(role);
    }

    /** The topics {@code role} reads. */
    public static List<Topic<?>> readsOf(String role) {
        return READS.getOrDefault(role, List.of()).stream().<Topic<?>>map(Read::topic).toList();
    }

    /** The topics {@code role} writes: those whose catalogue entry names it a writer. */
    public static List<Topic<?>> writesOf(String role) {
        return Topics.all().stream().filter(topic -> topic.writableBy(role)).toList();
    }

    /** Every grant of {@code roles}, in a stable order. */
    public static List<Grant> grants(List<String> roles) {
        List<Grant> grants = new ArrayList<>();
        for (String role : roles) {
            userOf(role); // a known role
            for (Topic<?> topic : Topics.all()) {
                grants.add(topicGrant(role, topic, AclOperation.DESCRIBE,
                        "readiness and topic checks list the catalogue (metadata only)"));
            }
            for (Topic<?> topic : writesOf(role)) {
                grants.add(topicGrant(role, topic, AclOperation.WRITE,
                        "the catalogue names " + role + " a writer"));
            }
            for (Read read : READS.getOrDefault(role, List.of())) {
                grants.add(topicGrant(role, read.topic(), AclOperation.READ, read.why()));
            }
            switch (role) {
                case Roles.DECISION_WORKER -> {
                    grants.add(new Grant(role, ResourceType.GROUP, DECISION_GROUP,
                            PatternType.LITERAL, AclOperation.READ,
                            "its consumer group; offsets committed in its transactions"));
                    for (AclOperation operation : List.of(AclOperation.WRITE,
                            AclOperation.DESCRIBE)) {
                        grants.add(new Grant(role, ResourceType.TRANSACTIONAL_ID,
                                DECISION_TRANSACTIONAL_ID_PREFIX + "-", PatternType.PREFIXED,
                                operation, "one transactional producer per decision loop"));
                    }
                }
                case Roles.EXECUTOR_WORKER -> grants.add(new Grant(role, ResourceType.GROUP,
                        EXECUTOR_GROUP, PatternType.LITERAL, AclOperation.READ,
                        "its consumer group"));
                case Roles.AUDIT_SINK -> grants.add(new Grant(role, ResourceType.GROUP,
                        AUDIT_SINK_GROUP, PatternType.LITERAL, AclOperation.READ,
                        "its consumer group"));
                default -> {
                    // the ingress reads its partitions by assignment, without a group
                }
            }
        }
        return List.copyOf(grants);
    }

    /** The grants as Kafka ACL bindings. */
    public static List<AclBinding> bindings(List<String> roles) {
        return grants(roles).stream().map(Grant::binding).toList();
    }

    /**
     * What one principal acting for all of {@code roles} needs, in words: for a cluster an operator
     * runs, when every role shares one principal (the standalone run with {@code --kafka}).
     */
    public static String describe(List<String> roles) {
        Map<String, Set<String>> byOperation = new LinkedHashMap<>();
        for (Grant grant : grants(roles)) {
            if (grant.operation() == AclOperation.DESCRIBE
                    && grant.resourceType() == ResourceType.TOPIC) {
                continue;
            }
            String resource = switch (grant.resourceType()) {
                case GROUP -> "group " + grant.name();
                case TRANSACTIONAL_ID -> "transactional IDs " + grant.name() + "*";
                default -> grant.name();
            };
            byOperation.computeIfAbsent(grant.operation().name(), k -> new LinkedHashSet<>())
                    .add(resource);
        }
        return "DESCRIBE on every gateway.* topic; " + byOperation.entrySet().stream().map(e -> e
                .getKey() + " on " + String.join(", ", e.getValue())).collect(Collectors.joining(
                        "; "));
    }

    private static Grant topicGrant(String role, Topic<?> topic, AclOperation operation,
            String why) {
        return new Grant(role, ResourceType.TOPIC, topic.name(), PatternType.LITERAL, operation,
                why);
    }
}
