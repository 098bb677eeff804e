package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifests under compose/k8s, checked without a cluster: one Deployment per role whose
 * environment its role reads, probes on /healthz and /readyz, resource requests, a
 * PodDisruptionBudget, secrets as files, the policy from a ConfigMap mounted so that updates
 * reach the file, and KEDA scaling on consumer-group lag bounded by the partition count.
 */
class KubernetesManifestsTest {

    private static final Path DIR = RoleSettings.repository().resolve("compose/k8s");
    private static final List<JsonNode> OBJECTS = load();

    @Test
    void theKustomizationListsEveryManifest() throws Exception {
        JsonNode kustomization = YAMLMapper.builder().build().readTree(DIR.resolve(
                "kustomization.yaml").toFile());
        Set<String> listed = new LinkedHashSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asString()));
        Set<String> present = new LinkedHashSet<>();
        try (var files = Files.list(DIR)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n
                    .equals("kustomization.yaml")).forEach(present::add);
        }

        assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
    }

    @Test
    void everyRoleIsADeploymentWhoseEnvironmentItsRoleReads() {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        Set<String> roles = new LinkedHashSet<>();

        for (JsonNode deployment : kind("Deployment")) {
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            String role = container.path("name").asString();
            roles.add(role);
            Set<String> env = new LinkedHashSet<>();
            container.path("env").forEach(e -> env.add(e.path("name").asString()));
            RoleSettings settings = RoleSettings.of(role);
            List<String> found = new ArrayList<>();
            settings.unknown(env).forEach(name -> found.add("unknown " + name));
            settings.missingRequired(env).forEach(name -> found.add("missing " + name));
            if (!found.isEmpty()) {
                problems.put(role, found);
            }
        }

        assertThat(roles).containsExactlyInAnyOrderElementsOf(RoleSettings.ROLES);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyDeploymentHasProbesRequestsAGracePeriodAndADisruptionBudget() {
        Set<String> budgets = new LinkedHashSet<>();
        kind("PodDisruptionBudget").forEach(pdb -> budgets.add(pdb.at(
                "/spec/selector/matchLabels/app.kubernetes.io~1name").asString()));

        for (JsonNode deployment : kind("Deployment")) {
            String name = deployment.at("/metadata/name").asString();
            JsonNode pod = deployment.at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");

            assertThat(container.at("/readinessProbe/httpGet/path").asString()).as(name)
                    .isEqualTo("/readyz");
            assertThat(container.at("/livenessProbe/httpGet/path").asString()).as(name)
                    .isEqualTo("/healthz");
            assertThat(container.at("/resources/requests/cpu").isMissingNode()).as(name)
                    .isFalse();
            assertThat(container.at("/resources/requests/memory").isMissingNode()).as(name)
                    .isFalse();
            assertThat(pod.path("terminationGracePeriodSeconds").asInt()).as(name)
                    .isGreaterThan(30);
            assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1path")
                    .asString()).isEqualTo("/actuator/prometheus");
            assertThat(budgets).as(name).contains(deployment.at(
                    "/spec/selector/matchLabels/app.kubernetes.io~1name").asString());
        }
    }

    @Test
    void secretsAreMountedFilesAndThePolicyComesFromAConfigMapWithoutSubPath() {
        for (JsonNode deployment : kind("Deployment")) {
            JsonNode pod = deployment.at("/spec/template/spec");
            JsonNode container = pod.at("/containers/0");
            Map<String, String> mounts = new LinkedHashMap<>();
            container.path("volumeMounts").forEach(m -> {
                assertThat(m.has("subPath")).as("a subPath mount never sees updates").isFalse();
                mounts.put(m.path("mountPath").asString(), m.path("name").asString());
            });
            container.path("env").forEach(e -> {
                String name = e.path("name").asString();
                String value = e.path("value").asString("");
                assertThat(name).as("secrets travel as files").doesNotEndWith("_PASSWORD")
                        .doesNotEndWith("_SECRET").doesNotEndWith("_KEY");
                if (name.endsWith("_FILE") || name.equals("TOLLGATE_POLICY_FILE")) {
                    String directory = value.substring(0, value.lastIndexOf('/'));
                    assertThat(mounts).as(name).containsKey(directory);
                    JsonNode volume = volume(pod, mounts.get(directory));
                    assertThat(volume.has("secret") || volume.has("configMap")).as(name)
                            .isTrue();
                }
            });
        }
        JsonNode decision = deployment("tollgate-decision-worker");
        String policyFile = env(decision, "TOLLGATE_POLICY_FILE");
        String configMap = volume(decision.at("/spec/template/spec"), "policy").at(
                "/configMap/name").asString();
        JsonNode policy = kind("ConfigMap").stream().filter(c -> c.at("/metadata/name")
                .asString().equals(configMap)).findFirst().orElseThrow();
        assertThat(policy.at("/data").has(policyFile.substring(policyFile.lastIndexOf('/') + 1)))
                .isTrue();
        assertThat(env(decision, "TOLLGATE_POLICY_WATCH")).isEqualTo("true");
        assertThat(env(decision, "SPRING_MAIN_WEB_APPLICATION_TYPE")).as(
                "the decision worker serves /readyz only when asked").isEqualTo("servlet");
    }

    @Test
    void workersScaleOnTheirGroupsLagNoFurtherThanThePartitionCount() {
        Map<String, String> groups = Map.of("tollgate-decision-worker",
                "TOLLGATE_DECISION_GROUP_ID", "tollgate-executor-worker",
                "TOLLGATE_EXECUTOR_GROUP_ID");
        Map<String, String> topics = Map.of("tollgate-decision-worker", "gateway.requests",
                "tollgate-executor-worker", "gateway.decisions");
        List<JsonNode> scaled = kind("ScaledObject");

        assertThat(scaled).hasSize(2);
        for (JsonNode object : scaled) {
            String target = object.at("/spec/scaleTargetRef/name").asString();
            JsonNode deployment = deployment(target);
            JsonNode trigger = object.at("/spec/triggers/0");
            int partitions = Integer.parseInt(env(deployment, "TOLLGATE_KAFKA_PARTITIONS"));
            String consumersKey = groups.get(target).replace("GROUP_ID", "CONSUMERS");
            int perPod = Integer.parseInt(env(deployment, consumersKey));

            assertThat(trigger.path("type").asString()).isEqualTo("kafka");
            assertThat(trigger.at("/metadata/consumerGroup").asString()).isEqualTo(env(
                    deployment, groups.get(target)));
            assertThat(trigger.at("/metadata/topic").asString()).isEqualTo(topics.get(target));
            assertThat(trigger.at("/metadata/bootstrapServers").asString()).isEqualTo(env(
                    deployment, "SPRING_KAFKA_BOOTSTRAP_SERVERS"));
            assertThat(object.at("/spec/maxReplicaCount").asInt() * perPod).as(target)
                    .isLessThanOrEqualTo(partitions);
            assertThat(object.at("/spec/minReplicaCount").asInt()).isGreaterThanOrEqualTo(1);
        }
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asString().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static String env(JsonNode deployment, String name) {
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asString().equals(name)) {
                return e.path("value").asString();
            }
        }
        throw new AssertionError(deployment.at("/metadata/name").asString() + " sets no " + name);
    }

    private static JsonNode deployment(String name) {
        return kind("Deployment").stream().filter(d -> d.at("/metadata/name").asString().equals(
                name)).findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static List<JsonNode> kind(String kind) {
        return OBJECTS.stream().filter(o -> o.path("kind").asString("").equals(kind)).toList();
    }

    private static List<JsonNode> load() {
        YAMLMapper yaml = YAMLMapper.builder().build();
        List<JsonNode> objects = new ArrayList<>();
        try (var files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                try (var values = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (values.hasNextValue()) {
                        JsonNode node = (JsonNode) values.nextValue();
                        if (node != null && !node.isNull() && !node.isMissingNode()) {
                            objects.add(node);
                        }
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return objects;
    }
}
