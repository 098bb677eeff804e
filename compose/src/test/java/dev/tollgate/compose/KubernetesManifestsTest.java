package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.compose.k8s.Kustomization;
import dev.tollgate.compose.k8s.NameRules;
import dev.tollgate.compose.k8s.NetworkPolicies;
import dev.tollgate.compose.k8s.SchemaValidator;
import dev.tollgate.schemas.KafkaAcls;
import dev.tollgate.schemas.KafkaSetupScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The manifests under compose/k8s, checked without a cluster. Rendered as {@code kubectl apply
 * -k} would (the base, and the {@code full} overlay with the KEDA and Prometheus components), every
 * object must pass the Kubernetes, KEDA and Prometheus Operator schemas (types, required and
 * unknown fields) and the API server's name rules; the base must need no custom resource
 * definition. Then: one Deployment per role whose environment its role reads, probes on /healthz
 * and /readyz, resource requests, a PodDisruptionBudget, secrets as files, the policy from a
 * ConfigMap mounted so that updates reach the file, KEDA scaling on consumer-group lag bounded by
 * the partition count, the audit sink logging in as the writer-only role, every pod within the
 * "restricted" Pod Security Standard with no service account token, the ingress's shutdown and
 * Service, and room beside every JVM's heap.
 */
class KubernetesManifestsTest {

    private static final Path DIR = RoleSettings.repository().resolve("compose/k8s");
    private static final String CHECKPOINTS_FILE = "TOLLGATE_AUDIT_CHECKPOINTS_FILE";
    private static final Kustomization BASE = Kustomization.render(DIR);
    private static final Kustomization FULL = Kustomization.render(DIR.resolve("overlays/full"));
    private static final List<JsonNode> OBJECTS = FULL.objects();
    /** The API groups every cluster serves; anything else needs a CRD. */
    private static final Set<String> BUILT_IN = Set.of("v1", "apps/v1", "policy/v1",
            "batch/v1", "networking.k8s.io/v1");

    @Test
    void everyManifestIsPartOfTheFullOverlayAndTheBaseNeedsNoCustomResources() throws Exception {
        Set<Path> present = new LinkedHashSet<>();
        try (Stream<Path> files = Files.walk(DIR)) {
            files.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> present.add(f
                    .toAbsolutePath().normalize()));
        }

        assertThat(FULL.files()).containsExactlyInAnyOrderElementsOf(present);
        assertThat(BASE.objects()).allSatisfy(o -> assertThat(BUILT_IN).as(o.path("kind")
                .asString()).contains(o.path("apiVersion").asString()));
        assertThat(kinds(BASE.objects())).contains("Deployment", "ConfigMap",
                "PodDisruptionBudget", "Service", "NetworkPolicy").doesNotContain("ScaledObject",
                        "ServiceMonitor", "PrometheusRule");
        assertThat(kinds(OBJECTS)).contains("ScaledObject", "ServiceMonitor", "PrometheusRule");
        assertThat(OBJECTS).allSatisfy(o -> assertThat(o.at("/metadata/namespace").asString())
                .as(o.at("/metadata/name").asString()).isEqualTo("tollgate"));
    }

    @Test
    void everyObjectPassesItsSchemaAndTheApiServersNameRules() {
        List<SchemaValidator.Result> results = validator().validate(OBJECTS);
        List<String> refused = new ArrayList<>();
        results.forEach(r -> r.errors().forEach(e -> refused.add(r.kind() + " " + r.name() + ": "
                + e)));
        refused.addAll(NameRules.check(OBJECTS));

        assertThat(results).hasSize(OBJECTS.size());
        assertThat(refused).as("what an API server would refuse").isEmpty();
    }

    /** The checks above can fail: what they report for the mistakes an API server refuses. */
    @Test
    void theValidatorsReportWhatAnApiServerRefuses() {
        JsonNode deployment = deployment("tollgate-executor-worker").deepCopy();
        var pod = (tools.jackson.databind.node.ObjectNode) deployment.at("/spec/template/spec");
        var volume = (tools.jackson.databind.node.ObjectNode) pod.path("volumes").get(1);
        String original = volume.path("name").asString();
        volume.put("name", "github_app_key");
        ((tools.jackson.databind.node.ObjectNode) deployment.path("spec")).put("replicas", "2");
        ((tools.jackson.databind.node.ObjectNode) pod.path("containers").get(0).path("ports")
                .get(0)).put("name", "prometheus-metrics");
        ((tools.jackson.databind.node.ObjectNode) pod.path("containers").get(0))
                .put("imagePullPolicy",
                        "Always")
                .put("imagePulPolicy", "Always");
        JsonNode unknownKind = JsonMapper.builder().build().readTree(
                "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}");

        List<SchemaValidator.Result> results = validator().validate(List.of(deployment,
                unknownKind));
        List<String> names = NameRules.check(List.of(deployment));

        assertThat(String.join("\n", results.get(0).errors())).contains(
                "data/spec/replicas must be integer", "imagePulPolicy");
        assertThat(results.get(1).errors()).singleElement().asString().contains(
                "no schema for example.com/v1 Widget");
        assertThat(names).anySatisfy(p -> assertThat(p).contains("volumes[].name 'github_app_key'"))
                .anySatisfy(
                        p -> assertThat(p).contains("'prometheus-metrics' is not an IANA_SVC_NAME"))
                .anySatisfy(p -> assertThat(p).contains("mounts volume " + original
                        + ", which the pod does not declare"))
                .anySatisfy(p -> assertThat(p).contains("names port http, which the container"
                        + " does not declare"));
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
    void eachRoleLogsInToKafkaAsItsOwnPrincipalWhoseAclsTheSetupJobCreates() {
        JsonNode job = kind("Job").stream().filter(j -> j.at("/metadata/name").asString().equals(
                "tollgate-kafka-setup")).findFirst().orElseThrow(() -> new AssertionError(
                        "no Job tollgate-kafka-setup"));
        JsonNode script = kind("ConfigMap").stream().filter(c -> c.at("/metadata/name")
                .asString().equals("tollgate-kafka-setup")).findFirst().orElseThrow();
        assertThat(script.at("/data/kafka-setup.sh").asString()).as("the Job's script is the one"
                + " KafkaSetupScript generates").isEqualTo(KafkaSetupScript.text());
        JsonNode setup = job.at("/spec/template/spec/containers/0");
        Set<String> setupSecrets = new LinkedHashSet<>();
        job.at("/spec/template/spec/volumes").forEach(v -> setupSecrets.add(v.at(
                "/secret/secretName").asString("")));

        Set<String> secretNames = new LinkedHashSet<>();
        for (JsonNode deployment : kind("Deployment")) {
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            String role = container.path("name").asString();
            assertThat(containerEnv(container, "TOLLGATE_KAFKA_USERNAME")).as(role)
                    .isEqualTo(KafkaAcls
                            .userOf(role));
            assertThat(containerEnv(container, "TOLLGATE_KAFKA_PROVISION_TOPICS")).as(role)
                    .isEqualTo(
                            "false");
            String file = containerEnv(container, "TOLLGATE_KAFKA_PASSWORD_FILE");
            String mount = file.substring(0, file.lastIndexOf('/'));
            String volume = null;
            for (JsonNode m : container.path("volumeMounts")) {
                if (m.path("mountPath").asString().equals(mount)) {
                    volume = m.path("name").asString();
                }
            }
            assertThat(volume).as(role + " mounts " + mount).isNotNull();
            String secret = null;
            for (JsonNode v : deployment.at("/spec/template/spec/volumes")) {
                if (v.path("name").asString().equals(volume)) {
                    secret = v.at("/secret/secretName").asString();
                }
            }
            assertThat(secret).as(role).isEqualTo("tollgate-kafka-" + role);
            secretNames.add(secret);
            assertThat(setupSecrets).as("the Job sets the password " + role + " logs in with")
                    .contains(secret);
            assertThat(containerEnv(setup, KafkaSetupScript.passwordVariable(role))).as(role)
                    .isNotNull();
        }
        assertThat(secretNames).hasSize(KafkaAcls.DEPLOYED_ROLES.size());
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

    /**
     * Every pod passes the "restricted" Pod Security Standard (a namespace enforcing it admits
     * them) and mounts no service account token: nothing in Tollgate calls the Kubernetes API, so a
     * process that took over a pod finds no credential for it there.
     */
    @Test
    void everyPodIsRestrictedAndHoldsNoKubernetesToken() {
        List<JsonNode> pods = new ArrayList<>();
        for (String kind : List.of("Deployment", "Job")) {
            kind(kind).forEach(o -> pods.add(o));
        }
        assertThat(pods).hasSizeGreaterThanOrEqualTo(5);
        for (JsonNode owner : pods) {
            String name = owner.at("/metadata/name").asString();
            JsonNode pod = owner.at("/spec/template/spec");
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(
                    "%s mounts a service account token", name).isFalse();
            for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                assertThat(pod.path(host).asBoolean(false)).as("%s %s", name, host).isFalse();
            }
            pod.path("volumes").forEach(v -> assertThat(v.propertyNames()).as("%s volume %s",
                    name, v.path("name").asString()).isSubsetOf("name", "configMap", "csi",
                            "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                            "projected", "secret"));
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode container : containers) {
                String where = name + "/" + container.path("name").asString();
                JsonNode context = container.path("securityContext");
                assertThat(context.path("runAsNonRoot").asBoolean(pod.at(
                        "/securityContext/runAsNonRoot").asBoolean(false))).as(
                                "%s runs as non-root", where)
                        .isTrue();
                assertThat(context.path("runAsUser").asInt(pod.at("/securityContext/runAsUser")
                        .asInt(-1))).as("%s's user", where).isNotZero();
                assertThat(context.at("/seccompProfile/type").asString(pod.at(
                        "/securityContext/seccompProfile/type").asString(""))).as(
                                "%s's seccomp profile", where)
                        .isIn("RuntimeDefault",
                                "Localhost");
                assertThat(context.path("privileged").asBoolean(false)).as(where).isFalse();
                assertThat(context.path("allowPrivilegeEscalation").asBoolean(true)).as(
                        "%s allows privilege escalation", where).isFalse();
                List<String> dropped = new ArrayList<>();
                context.at("/capabilities/drop").forEach(c -> dropped.add(c.asString()));
                assertThat(dropped).as("%s drops every capability", where).contains("ALL");
                List<String> added = new ArrayList<>();
                context.at("/capabilities/add").forEach(c -> added.add(c.asString()));
                assertThat(added).as("%s adds capabilities", where).isSubsetOf(
                        "NET_BIND_SERVICE");
            }
        }
    }

    /**
     * Every container can read every secret file it mounts. The kubelet writes a secret volume's
     * files owned by root, with the volume's {@code defaultMode} (or an item's {@code mode});
     * with a pod {@code fsGroup} it makes them group-owned by that group and adds group read
     * (mode | 0440, the API's "permission bits are OR'd with rw-rw----", read-only for secret
     * volumes), and every container runs with the fsGroup among its groups. A non-root container
     * without that reads a 0400 file as "Permission denied": the kafka-setup Job (uid 1000) did,
     * so it created no principal, topic or ACL.
     */
    @Test
    void everyContainerCanReadTheSecretFilesItMounts() {
        List<String> unreadable = new ArrayList<>();
        int checked = 0;

        for (JsonNode owner : pods()) {
            JsonNode pod = owner.at("/spec/template/spec");
            for (JsonNode container : containers(pod)) {
                String where = owner.at("/metadata/name").asString() + "/" + container.path(
                        "name").asString();
                for (JsonNode mount : container.path("volumeMounts")) {
                    JsonNode secret = volume(pod, mount.path("name").asString()).path("secret");
                    if (secret.isMissingNode()) {
                        continue;
                    }
                    checked++;
                    List<Integer> modes = new ArrayList<>();
                    secret.path("items").forEach(i -> modes.add(i.path("mode").asInt(secret.path(
                            "defaultMode").asInt(0644))));
                    if (modes.isEmpty()) {
                        modes.add(secret.path("defaultMode").asInt(0644));
                    }
                    for (int mode : modes) {
                        if (!SecretMount.readable(pod, container, mode)) {
                            unreadable.add("%s cannot read secret %s (mode %o, user %s, fsGroup %s)"
                                    .formatted(where, secret.path("secretName").asString(), mode,
                                            SecretMount.user(pod, container), pod.at(
                                                    "/securityContext/fsGroup").asString("none")));
                        }
                    }
                }
            }
        }

        assertThat(checked).as("secret mounts checked").isGreaterThanOrEqualTo(15);
        assertThat(unreadable).isEmpty();
    }

    /** The rule above, on the Job as it was: uid 1000, 0400 files, no fsGroup. */
    @Test
    void aNonRootUserWithoutTheFsGroupCannotReadA0400Secret() {
        JsonNode container = JsonMapper.builder().build().readTree("{\"name\":\"c\"}");
        JsonNode withoutGroup = JsonMapper.builder().build().readTree(
                "{\"securityContext\":{\"runAsUser\":1000}}");
        JsonNode withGroup = JsonMapper.builder().build().readTree(
                "{\"securityContext\":{\"runAsUser\":1000,\"fsGroup\":1000}}");

        assertThat(SecretMount.readable(withoutGroup, container, 0400)).isFalse();
        assertThat(SecretMount.readable(withoutGroup, container, 0444)).isTrue();
        assertThat(SecretMount.readable(withGroup, container, 0400)).isTrue();
    }

    /**
     * The README's Kubernetes commands create every Secret a pod mounts: a missing one keeps the
     * pod in ContainerCreating (or the kafka-setup Job from ever running).
     */
    @Test
    void theReadmesCommandsCreateEverySecretThePodsMount() throws Exception {
        Set<String> mounted = new LinkedHashSet<>();
        for (JsonNode owner : pods()) {
            owner.at("/spec/template/spec/volumes").forEach(v -> {
                if (v.has("secret") && !v.at("/secret/optional").asBoolean(false)) {
                    mounted.add(v.at("/secret/secretName").asString());
                }
            });
        }
        Set<String> created = new LinkedHashSet<>();
        Map<String, Set<String>> keys = new LinkedHashMap<>();
        var command = java.util.regex.Pattern.compile(
                "^kubectl -n tollgate create secret generic ([a-z0-9-]+)((?: --from-file=\\S+)+)");
        for (String line : Files.readAllLines(RoleSettings.repository().resolve(
                "compose/README.md"))) {
            var m = command.matcher(line.strip());
            if (m.find()) {
                created.add(m.group(1));
                Set<String> fileKeys = new LinkedHashSet<>();
                for (String from : m.group(2).strip().split(" ")) {
                    String spec = from.substring("--from-file=".length());
                    fileKeys.add(spec.substring(0, spec.indexOf('=')));
                }
                keys.put(m.group(1), fileKeys);
            }
        }

        assertThat(mounted).hasSizeGreaterThanOrEqualTo(13);
        assertThat(created).as("secrets the README creates").containsAll(mounted);
        for (JsonNode owner : pods()) {
            JsonNode pod = owner.at("/spec/template/spec");
            for (JsonNode container : containers(pod)) {
                for (JsonNode e : container.path("env")) {
                    String file = e.path("value").asString("");
                    if (!e.path("name").asString().endsWith("_FILE") && !e.path("name").asString()
                            .equals("ADMIN_CONFIG")) {
                        continue;
                    }
                    for (JsonNode mount : container.path("volumeMounts")) {
                        String dir = mount.path("mountPath").asString() + "/";
                        JsonNode secret = volume(pod, mount.path("name").asString()).path(
                                "secret");
                        if (file.startsWith(dir) && !secret.isMissingNode()) {
                            assertThat(keys.get(secret.path("secretName").asString())).as(
                                    "the key %s reads from %s", file, secret.path("secretName")
                                            .asString())
                                    .contains(file.substring(dir.length()));
                        }
                    }
                }
            }
        }
    }

    /**
     * Every container running a JVM has a memory limit, and what the heap leaves of it (the
     * image's percentage, or the JVM's default where a command replaces the entrypoint) holds
     * what is not heap: else the kubelet kills the container once the heap grows.
     */
    @Test
    void everyJvmContainerLeavesRoomBesideItsHeap() {
        int checked = 0;
        for (JsonNode deployment : kind("Deployment")) {
            JsonNode pod = deployment.at("/spec/template/spec");
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode container : containers) {
                String name = deployment.at("/metadata/name").asString() + "/" + container.path(
                        "name").asString();
                HeapRoom.assertRoom(name, container.at("/resources/limits/memory").asString(""),
                        HeapRoom::kubernetesMib, container.path("command"));
                checked++;
            }
        }
        assertThat(checked).as("containers checked").isGreaterThanOrEqualTo(5);
    }

    /**
     * The ingress keeps no MCP session (its stateless transport; any replica answers any request,
     * get_request_status included), so its Service spreads connections with no affinity: ClientIP
     * affinity would pin every agent behind one address, or every request through a proxy, to
     * one replica.
     */
    @Test
    void theIngressServiceSpreadsRequestsOverEveryReplica() {
        JsonNode service = kind("Service").stream().filter(s -> s.at("/metadata/name")
                .asString().equals("tollgate-ingress")).findFirst().orElseThrow(
                        () -> new AssertionError("no Service tollgate-ingress"));

        assertThat(service.at("/spec/selector/app.kubernetes.io~1name").asString()).isEqualTo(
                "tollgate-ingress");
        assertThat(service.at("/spec/sessionAffinity").asString("None")).as("sessionAffinity")
                .isEqualTo("None");
        assertThat(deployment("tollgate-ingress").at("/spec/replicas").asInt()).isGreaterThan(1);
    }

    /**
     * The kubelet sends SIGTERM while the pod is taken out of the Service's endpoints, not after;
     * the ingress closes its listener on SIGTERM, so without a pause a connection kube-proxy still
     * sends here would be refused. The ingress keeps serving through a preStop sleep, and its grace
     * period covers that sleep and the drain after it (the longer of the longest call in flight
     * and the drain-grace; both are added, with a margin, for the web server's and the Kafka
     * clients' stop after it).
     */
    @Test
    void theIngressServesWhileItLeavesTheEndpointsAndItsGracePeriodCoversTheDrain() {
        JsonNode ingress = deployment("tollgate-ingress");
        JsonNode command = ingress.at("/spec/template/spec/containers/0/lifecycle/preStop/exec/"
                + "command");
        assertThat(command.size()).as("the preStop command").isEqualTo(2);
        assertThat(command.get(0).asString()).isEqualTo("sleep");
        long pause = Long.parseLong(command.get(1).asString());
        assertThat(pause).as("seconds for the endpoints' removal to spread").isBetween(3L, 15L);

        IngressDrain drain = IngressDrain.of(optionalEnv(ingress,
                "TOLLGATE_INGRESS_REPLY_TIMEOUT"), env(ingress, "TOLLGATE_INGRESS_DRAIN_GRACE"));
        assertThat(ingress.at("/spec/template/spec/terminationGracePeriodSeconds").asLong())
                .as("preStop %d s + longest call %d s + drain-grace %d s, and a margin", pause,
                        drain.longestCall(), drain.drainGrace())
                .isGreaterThanOrEqualTo(pause + drain.longestCall() + drain.drainGrace() + 5);
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
                    if (name.equals(CHECKPOINTS_FILE)) {
                        // not a secret: what the sink writes, on a volume that outlives the pod
                        assertThat(volume.has("persistentVolumeClaim")).as(name).isTrue();
                    } else {
                        assertThat(volume.has("secret") || volume.has("configMap")).as(name)
                                .isTrue();
                    }
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

    /**
     * KEDA reaches a cluster that authenticates every listener: each Kafka trigger logs in
     * through a TriggerAuthentication giving SASL/SCRAM credentials from a Secret the README
     * creates, as a principal the README grants Describe only (lag, never records). Without
     * them the broker closes the scaler's plaintext session and nothing scales.
     */
    @Test
    void kedaLogsInToKafkaAsAPrincipalThatOnlyDescribes() throws Exception {
        // the README's commands, continuation lines joined
        String readme = Files.readString(RoleSettings.repository().resolve("compose/README.md"))
                .replace("\\\n", " ");
        List<JsonNode> triggers = new ArrayList<>();
        kind("ScaledObject").forEach(o -> o.at("/spec/triggers").forEach(t -> {
            if (t.path("type").asString().equals("kafka")) {
                triggers.add(t);
            }
        }));

        assertThat(triggers).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode trigger : triggers) {
            String name = trigger.at("/authenticationRef/name").asString("");
            assertThat(name).as("the trigger on %s logs in", trigger.at("/metadata/topic")
                    .asString()).isNotEmpty();
            JsonNode auth = kind("TriggerAuthentication").stream().filter(a -> a.at(
                    "/metadata/name").asString().equals(name)).findFirst().orElseThrow(
                            () -> new AssertionError("no TriggerAuthentication " + name));
            Map<String, String> keys = new LinkedHashMap<>();
            auth.at("/spec/secretTargetRef").forEach(r -> {
                keys.put(r.path("parameter").asString(), r.path("key").asString());
                assertThat(readme).as("the README creates Secret %s with key %s", r.path("name")
                        .asString(), r.path("key").asString()).containsPattern(
                                "create secret generic " + r.path("name").asString()
                                        + "[^\\n]*--from-literal="
                                        + r.path("key").asString() + "=");
            });
            assertThat(keys).containsKeys("sasl", "username", "password");
        }
        assertThat(readme).contains("--from-literal=sasl=scram_sha512",
                "--from-literal=username=tollgate-keda");
        var acl = java.util.regex.Pattern.compile("--allow-principal User:tollgate-keda"
                + "[^\\n]*").matcher(readme);
        assertThat(acl.find()).as("the README grants tollgate-keda its ACLs").isTrue();
        assertThat(acl.group()).contains("--operation Describe", "--group "
                + KafkaAcls.DECISION_GROUP, "--group " + KafkaAcls.EXECUTOR_GROUP,
                "--topic gateway.requests", "--topic gateway.decisions")
                .doesNotContain("--operation Read", "--operation Write", "--operation All");
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

    @Test
    void theAuditSinkLogsInAsTheWriterOnlyRoleAndOnlyItsInitContainerMigratesAsTheOwner() {
        AuditRoles roles = AuditRoles.fromInitScript();
        JsonNode deployment = deployment("tollgate-audit-sink");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode migrate = pod.at("/initContainers/0");
        List<String> args = new ArrayList<>();
        migrate.path("args").forEach(a -> args.add(a.asString()));
        Set<String> sinkMounts = new LinkedHashSet<>();
        pod.at("/containers/0/volumeMounts").forEach(m -> sinkMounts.add(m.path("name")
                .asString()));
        String ownerPassword = args.get(args.indexOf("--password-file") + 1);
        String ownerVolume = null;
        for (JsonNode mount : migrate.path("volumeMounts")) {
            if (ownerPassword.startsWith(mount.path("mountPath").asString() + "/")) {
                ownerVolume = mount.path("name").asString();
            }
        }

        assertThat(env(deployment, "TOLLGATE_AUDIT_POSTGRES_USER")).isEqualTo(roles.sink());
        assertThat(optionalEnv(deployment, "TOLLGATE_AUDIT_POSTGRES_MIGRATE")).isIn(null,
                "false");
        assertThat(args).startsWith("migrate").containsSubsequence("--user", roles.owner())
                .containsSubsequence("--jdbc-url", env(deployment,
                        "TOLLGATE_AUDIT_POSTGRES_URL"));
        assertThat(env(deployment, "TOLLGATE_AUDIT_POSTGRES_URL")).endsWith("currentSchema="
                + roles.schema());
        assertThat(migrate.path("image").asString()).isEqualTo(pod.at("/containers/0/image")
                .asString());
        assertThat(ownerVolume).as("the volume holding " + ownerPassword).isNotNull();
        assertThat(sinkMounts).as("the owner's password never reaches the sink").doesNotContain(
                ownerVolume);
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    /**
     * Whoever checks a Kubernetes deployment's audit store logs in as init.sh's reader (a member
     * of the readers' group, which may only SELECT), with the password file secrets/README.md
     * makes for it (compose's audit-verify uses the same): never as the sink, whose login can
     * append records that verify. Every {@code audit verify} and {@code audit export} of a
     * PostgreSQL store in compose/README.md does so.
     */
    @Test
    void theReadmeChecksTheAuditStoreAsTheReadOnlyReaderNeverAsTheSink() throws Exception {
        AuditRoles roles = AuditRoles.fromInitScript();
        String readme = Files.readString(RoleSettings.repository().resolve("compose/README.md"))
                .replace("\\\n", " ");
        JsonNode compose = tools.jackson.dataformat.yaml.YAMLMapper.builder().build().readTree(
                RoleSettings.repository().resolve("compose/compose.yaml").toFile());
        List<String> verifyArgs = new ArrayList<>();
        compose.at("/services/audit-verify/command").forEach(a -> verifyArgs.add(a.asString()));
        String secret = verifyArgs.get(verifyArgs.indexOf("--password-file") + 1).substring(
                "/run/secrets/".length());
        String readerFile = "compose/" + compose.at("/secrets/" + secret + "/file").asString()
                .substring("./".length());
        var command = java.util.regex.Pattern.compile("audit (?:verify|export) --store postgres"
                + " [^\\n`]*").matcher(readme);
        List<String> commands = new ArrayList<>();
        while (command.find()) {
            commands.add(command.group());
        }

        assertThat(commands).as("compose/README.md's audit commands on PostgreSQL")
                .hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(c -> assertThat(c).contains("--user " + roles.reader() + " ")
                        .doesNotContain(roles.sink()).doesNotContain("audit-sink-password")
                        .doesNotContain("audit_sink_password"));
        assertThat(commands).as("the Kubernetes one, through the port-forward").anySatisfy(
                c -> assertThat(c).contains("jdbc:postgresql://127.0.0.1:5432/").contains(
                        "--password-file " + readerFile + " "));
        assertThat(SecretsReadme.script()).as("compose/secrets/README.md makes " + readerFile)
                .contains(readerFile.substring("compose/secrets/".length()));
    }

    /**
     * Every Tollgate pod (each role's, the kafka-setup Job's) is selected, for both directions, by
     * a NetworkPolicy that allows nothing: what reaches it or leaves it is only what a policy
     * below opens. A pod no such policy selects (the Job's template once had no labels to select
     * it by) accepts every connection and reaches everything.
     */
    @Test
    void everyPodIsSelectedByAPolicyThatDeniesEverythingBothWays() {
        List<JsonNode> policies = kind("NetworkPolicy");
        List<String> open = new ArrayList<>();

        for (JsonNode owner : pods()) {
            String name = owner.at("/metadata/name").asString();
            JsonNode labels = owner.at("/spec/template/metadata/labels");
            for (String type : List.of("Ingress", "Egress")) {
                boolean denied = NetworkPolicies.selecting(policies, labels, type).stream()
                        .anyMatch(p -> p.at("/spec/" + type.toLowerCase(java.util.Locale.ROOT))
                                .isEmpty());
                if (!denied) {
                    open.add(name + " (" + type + ", labels " + labels + ")");
                }
            }
        }

        assertThat(pods()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(open).as("pods no deny-all NetworkPolicy selects").isEmpty();
        assertThat(kinds(BASE.objects())).as("in the base, which every install applies").contains(
                "NetworkPolicy");
        for (JsonNode policy : policies) {
            assertThat(pods().stream().anyMatch(o -> NetworkPolicies.matches(policy.at(
                    "/spec/podSelector"), o.at("/spec/template/metadata/labels")))).as(
                            "NetworkPolicy %s selects a pod", policy.at("/metadata/name")
                                    .asString())
                    .isTrue();
        }
    }

    /**
     * A port a policy lets in is one every pod it selects declares (a containerPort, by number
     * or name), from named peers only: never "from anywhere" and never every port.
     */
    @Test
    void everyPortAPolicyLetsInIsOneItsPodsServe() {
        List<String> problems = new ArrayList<>();
        int checked = 0;

        for (JsonNode owner : pods()) {
            String name = owner.at("/metadata/name").asString();
            JsonNode pod = owner.at("/spec/template/spec");
            Set<String> served = new LinkedHashSet<>();
            containers(pod).forEach(c -> c.path("ports").forEach(p -> {
                served.add(p.path("containerPort").asString());
                served.add(p.path("name").asString(""));
            }));
            for (JsonNode rule : NetworkPolicies.rules(kind("NetworkPolicy"), owner.at(
                    "/spec/template/metadata/labels"), "Ingress")) {
                if (rule.path("from").isEmpty() || rule.path("ports").isEmpty()) {
                    problems.add(name + ": a rule from anywhere or to every port: " + rule);
                }
                for (JsonNode port : rule.path("ports")) {
                    checked++;
                    if (!served.contains(port.path("port").asString())) {
                        problems.add(name + " is let in on " + port.path("port").asString()
                                + ", which it does not serve (it serves " + served + ")");
                    }
                }
            }
        }

        assertThat(checked).as("ports let in").isGreaterThanOrEqualTo(5);
        assertThat(problems).isEmpty();
        JsonNode service = kind("Service").stream().filter(s -> s.at("/metadata/name")
                .asString().equals("tollgate-ingress")).findFirst().orElseThrow();
        assertThat(NetworkPolicies.rules(kind("NetworkPolicy"), deployment("tollgate-ingress")
                .at("/spec/template/metadata/labels"), "Ingress").stream().flatMap(r -> r
                        .path(
                                "ports")
                        .valueStream())
                .map(p -> p.path("port").asInt())).as(
                        "the ingress Service's port reaches the pods")
                .contains(service.at("/spec/ports/0/port").asInt());
    }

    /**
     * Each pod may reach what its configuration names, and nothing else: the Kafka brokers of its
     * bootstrap list (their namespace, their port), PostgreSQL of its JDBC URL, GitHub's API (the
     * executor: tollgate.github.api-url, https://api.github.com unless set) and DNS. Each rule's
     * port must be one of those addresses' ports, with peers that hold them.
     */
    @Test
    void eachPodMayReachWhatItsConfigurationNamesAndNothingElse() {
        List<String> problems = new ArrayList<>();
        Map<String, List<Destination>> needs = new LinkedHashMap<>();

        for (JsonNode owner : pods()) {
            String name = owner.at("/metadata/name").asString();
            List<Destination> destinations = destinations(owner.at("/spec/template/spec"));
            needs.put(name, destinations);
            List<JsonNode> rules = NetworkPolicies.rules(kind("NetworkPolicy"), owner.at(
                    "/spec/template/metadata/labels"), "Egress");
            for (Destination destination : destinations) {
                if (rules.stream().noneMatch(r -> allows(r, destination))) {
                    problems.add(name + " cannot reach " + destination);
                }
            }
            if (rules.stream().noneMatch(KubernetesManifestsTest::isDns)) {
                problems.add(name + " cannot resolve names (UDP and TCP 53 to kube-dns)");
            }
            for (JsonNode rule : rules) {
                if (rule.path("to").isEmpty() || rule.path("ports").isEmpty()) {
                    problems.add(name + ": a rule to anywhere or on every port: " + rule);
                }
                if (isDns(rule)) {
                    continue;
                }
                for (JsonNode port : rule.path("ports")) {
                    if (destinations.stream().noneMatch(d -> d.port() == port.path("port")
                            .asInt() && allows(rule, d))) {
                        problems.add(name + " may reach port " + port.path("port").asString()
                                + " of " + rule.path("to") + ", which its configuration names"
                                + " nowhere (it needs " + destinations + ")");
                    }
                }
            }
        }

        assertThat(problems).isEmpty();
        assertThat(needs.get("tollgate-executor-worker")).extracting(Destination::host)
                .contains("api.github.com", "postgres.tollgate.svc");
        assertThat(needs.get("tollgate-audit-sink")).extracting(Destination::port).contains(5432,
                9092);
        assertThat(needs.get("tollgate-kafka-setup")).extracting(Destination::port)
                .containsOnly(9094);
    }

    /**
     * Only the executors leave the cluster (GitHub): the decision workers, the audit sink, the
     * ingress and the setup Job reach in-cluster peers only, and the executors' public range
     * leaves out the private ones (the cluster, the nodes, the cloud's metadata endpoint).
     */
    @Test
    void theDecisionWorkerAndEveryRoleButTheExecutorHaveNoInternetEgress() {
        for (JsonNode owner : pods()) {
            String name = owner.at("/metadata/name").asString();
            List<JsonNode> rules = NetworkPolicies.rules(kind("NetworkPolicy"), owner.at(
                    "/spec/template/metadata/labels"), "Egress");
            List<JsonNode> outside = new ArrayList<>();
            rules.forEach(r -> {
                if (r.path("to").isEmpty()) {
                    outside.add(r);
                }
                r.path("to").forEach(peer -> {
                    if (peer.has("ipBlock")) {
                        outside.add(peer);
                    }
                });
            });
            if (name.equals("tollgate-executor-worker")) {
                assertThat(outside).as(name).isNotEmpty().allSatisfy(peer -> {
                    List<String> except = new ArrayList<>();
                    peer.at("/ipBlock/except").forEach(e -> except.add(e.asString()));
                    assertThat(except).as("%s: %s", name, peer).containsAnyOf("169.254.0.0/16",
                            "fe80::/10");
                    if (peer.at("/ipBlock/cidr").asString().contains(".")) {
                        assertThat(except).contains("10.0.0.0/8", "172.16.0.0/12",
                                "192.168.0.0/16", "169.254.0.0/16");
                    }
                });
            } else {
                assertThat(outside).as("%s reaches outside the cluster", name).isEmpty();
            }
        }
        assertThat(NetworkPolicies.rules(kind("NetworkPolicy"), deployment(
                "tollgate-decision-worker").at("/spec/template/metadata/labels"), "Egress"))
                .as("the decision worker's egress").isNotEmpty().allSatisfy(r -> assertThat(r
                        .path("to").toString()).doesNotContain("ipBlock"));
    }

    /** An address a pod's configuration names: where, and on which TCP port. */
    record Destination(String what, String host, int port) {

        /** The namespace of a Service name (NAME.NAMESPACE.svc[.cluster.local]), else null. */
        String namespace() {
            var m = java.util.regex.Pattern.compile("^(?:[^.]+\\.)*?[^.]+\\.([^.]+)\\.svc"
                    + "(?:\\.cluster\\.local)?$").matcher(host);
            return m.matches() ? m.group(1) : null;
        }
    }

    /** The Kafka bootstrap lists, JDBC URLs and GitHub API of a pod's containers. */
    private static List<Destination> destinations(JsonNode pod) {
        List<Destination> found = new ArrayList<>();
        for (JsonNode container : containers(pod)) {
            List<String> values = new ArrayList<>();
            container.path("args").forEach(a -> values.add(a.asString()));
            container.path("command").forEach(a -> values.add(a.asString()));
            boolean github = false;
            String apiUrl = "https://api.github.com"; // tollgate.github.api-url's default
            for (JsonNode e : container.path("env")) {
                String name = e.path("name").asString();
                String value = e.path("value").asString("");
                values.add(value);
                if (name.equals("SPRING_KAFKA_BOOTSTRAP_SERVERS") || name.equals("BOOTSTRAP")) {
                    for (String server : value.split(",")) {
                        found.add(new Destination("Kafka", server.substring(0, server
                                .lastIndexOf(':')), Integer.parseInt(
                                        server.substring(server
                                                .lastIndexOf(':') + 1))));
                    }
                }
                github |= name.equals("TOLLGATE_GITHUB_APP_ID");
                if (name.equals("TOLLGATE_GITHUB_API_URL")) {
                    apiUrl = value;
                }
            }
            for (String value : values) {
                if (value.startsWith("jdbc:postgresql://")) {
                    java.net.URI uri = java.net.URI.create(value.substring("jdbc:".length()));
                    found.add(new Destination("PostgreSQL", uri.getHost(), uri.getPort() < 0
                            ? 5432
                            : uri.getPort()));
                }
            }
            if (github) {
                java.net.URI uri = java.net.URI.create(apiUrl);
                found.add(new Destination("GitHub", uri.getHost(), uri.getPort() < 0
                        ? 443
                        : uri
                                .getPort()));
            }
        }
        return found.stream().distinct().toList();
    }

    /** Whether an egress rule lets a pod of namespace tollgate reach a destination. */
    private static boolean allows(JsonNode rule, Destination destination) {
        boolean port = false;
        for (JsonNode p : rule.path("ports")) {
            port |= p.path("protocol").asString("TCP").equals("TCP") && p.path("port")
                    .asInt() == destination.port();
        }
        if (!port) {
            return false;
        }
        String namespace = destination.namespace();
        for (JsonNode peer : rule.path("to")) {
            if (namespace == null) {
                if (Set.of("0.0.0.0/0", "::/0").contains(peer.at("/ipBlock/cidr").asString(""))) {
                    return true;
                }
            } else if (peer.has("namespaceSelector")) {
                JsonNode labels = JsonMapper.builder().build().createObjectNode().put(
                        "kubernetes.io/metadata.name", namespace);
                if (NetworkPolicies.matches(peer.path("namespaceSelector"), labels)) {
                    return true;
                }
            } else if (peer.has("podSelector") && namespace.equals("tollgate")) {
                return true; // a podSelector alone: pods of the policy's own namespace
            }
        }
        return false;
    }

    /** UDP and TCP 53 to the cluster's DNS. */
    private static boolean isDns(JsonNode rule) {
        Set<String> ports = new LinkedHashSet<>();
        rule.path("ports").forEach(p -> ports.add(p.path("protocol").asString("TCP") + "/" + p
                .path("port").asString()));
        return ports.equals(Set.of("UDP/53", "TCP/53")) && rule.path("to").size() == 1 && rule
                .at("/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
                .asString().equals("kube-system") && rule
                        .at(
                                "/to/0/podSelector/matchLabels/k8s-app")
                        .asString().equals("kube-dns");
    }

    /**
     * The audit sink signs checkpoints of every chain's head (so deleting the newest records is
     * detected), with an Ed25519 key that only its own container mounts (not the migrate init
     * container, which runs as the store's owner: the owner must not hold the key that vouches
     * for the store), into a file on a PersistentVolumeClaim of this rendering (an emptyDir or
     * /tmp would lose them with the pod). The README makes the key pair with openssl, creates
     * the Secret from it, and shows how to verify against the checkpoints and the public key.
     */
    @Test
    void theAuditSinkSignsCheckpointsWithAKeyOnlyItMountsIntoAFileThatOutlivesThePod()
            throws Exception {
        JsonNode deployment = deployment("tollgate-audit-sink");
        JsonNode pod = deployment.at("/spec/template/spec");
        String key = env(deployment, "TOLLGATE_AUDIT_CHECKPOINTS_KEY_FILE");
        String file = env(deployment, CHECKPOINTS_FILE);
        String readme = Files.readString(RoleSettings.repository().resolve("compose/README.md"))
                .replace("\\\n", " ");

        JsonNode keyVolume = volume(pod, mountOf(pod.at("/containers/0"), key));
        assertThat(keyVolume.at("/secret/defaultMode").asInt()).as("the key's mode").isEqualTo(
                0400);
        assertThat(pod.at("/initContainers/0/volumeMounts").toString()).as(
                "the migrate container (the store's owner) does not hold the signing key")
                .doesNotContain("\"" + keyVolume.path("name").asString() + "\"");
        JsonNode checkpoints = volume(pod, mountOf(pod.at("/containers/0"), file));
        String claim = checkpoints.at("/persistentVolumeClaim/claimName").asString("");
        assertThat(claim).as("the checkpoints' volume is a PersistentVolumeClaim").isNotEmpty();
        assertThat(kind("PersistentVolumeClaim")).as("the claim %s is shipped", claim)
                .anySatisfy(c -> assertThat(c.at("/metadata/name").asString()).isEqualTo(
                        claim));
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(deployment.at("/spec/strategy/type").asString()).as(
                "one sink holds the ReadWriteOnce claim at a time").isEqualTo("Recreate");
        assertThat(SecretsReadme.script()).as("compose/secrets/README.md makes the key pair")
                .contains("openssl genpkey -algorithm ed25519 -out "
                        + "compose/secrets/audit-checkpoint-key.pem",
                        "openssl pkey -in compose/secrets/audit-checkpoint-key.pem -pubout -out"
                                + " compose/secrets/audit-checkpoint-key.pub.pem");
        assertThat(readme).as("the README creates the Secret from that file").contains(
                "create secret generic " + keyVolume.at("/secret/secretName").asString()
                        + " --from-file=" + key.substring(key.lastIndexOf('/') + 1)
                        + "=compose/secrets/audit-checkpoint-key.pem");
        var verify = java.util.regex.Pattern.compile("audit verify [^\\n]*--checkpoints "
                + "(\\S+)[^\\n]*--public-key (\\S+)").matcher(readme);
        List<String> verified = new ArrayList<>();
        while (verify.find()) {
            verified.add(verify.group(1));
        }
        assertThat(verified).as("the README verifies the checkpoints the sink writes").anySatisfy(
                f -> assertThat(f).isIn(file, "audit-checkpoints.jsonl"));
        assertThat(readme).as("the README copies the Kubernetes checkpoints out to verify them")
                .contains("exec deploy/tollgate-audit-sink -c audit-sink -- cat " + file);
    }

    /** The volume a container mounts at the folder holding {@code file}. */
    private static String mountOf(JsonNode container, String file) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (file.startsWith(mount.path("mountPath").asString() + "/")) {
                return mount.path("name").asString();
            }
        }
        throw new AssertionError(container.path("name").asString() + " mounts nothing at "
                + file);
    }

    private static List<JsonNode> pods() {
        List<JsonNode> pods = new ArrayList<>();
        for (String kind : List.of("Deployment", "Job")) {
            pods.addAll(kind(kind));
        }
        return pods;
    }

    private static List<JsonNode> containers(JsonNode pod) {
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        pod.path("containers").forEach(containers::add);
        return containers;
    }

    private static JsonNode volume(JsonNode pod, String name) {
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asString().equals(name)) {
                return volume;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    /** A container's environment value, or null. */
    private static String containerEnv(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asString().equals(name)) {
                return e.path("value").asString();
            }
        }
        return null;
    }

    private static String env(JsonNode deployment, String name) {
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asString().equals(name)) {
                return e.path("value").asString();
            }
        }
        throw new AssertionError(deployment.at("/metadata/name").asString() + " sets no " + name);
    }

    private static String optionalEnv(JsonNode deployment, String name) {
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asString().equals(name)) {
                return e.path("value").asString();
            }
        }
        return null;
    }

    private static JsonNode deployment(String name) {
        return kind("Deployment").stream().filter(d -> d.at("/metadata/name").asString().equals(
                name)).findFirst().orElseThrow(() -> new AssertionError("no Deployment " + name));
    }

    private static List<JsonNode> kind(String kind) {
        return OBJECTS.stream().filter(o -> o.path("kind").asString("").equals(kind)).toList();
    }

    private static Set<String> kinds(List<JsonNode> objects) {
        Set<String> kinds = new LinkedHashSet<>();
        objects.forEach(o -> kinds.add(o.path("kind").asString()));
        return kinds;
    }

    private static SchemaValidator validator() {
        return SchemaValidator.install(RoleSettings.repository().resolve(
                "compose/src/test/k8s-validator"),
                RoleSettings.repository().resolve(
                        "compose/target"));
    }
}
