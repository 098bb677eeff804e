package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-command run: an embedded KRaft broker, the topics and a health endpoint. */
class TollgateLauncherTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void startsABrokerCreatesTheTopicsAndAnswersHealthAndReadiness(@TempDir Path data)
            throws Exception {
        Path state = data.resolve("state");
        LauncherOptions options = LauncherOptions.parse(new String[]{"--data-dir", state
                .toString(), "--kafka-port", "0", "--server.port=0"}, Map.of());

        try (TollgateLauncher launcher = TollgateLauncher.start(options)) {
            HttpResponse<String> health = get(launcher.httpPort(), "/healthz");
            HttpResponse<String> ready = get(launcher.httpPort(), "/readyz");

            assertThat(launcher.httpPort()).isPositive().isNotEqualTo(8080);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("all " + Topics.all().size() + " topics present")
                    .contains("reading requests, answers, token records and the policy");
            assertThat(Files.exists(state.resolve("kafka/kafka-logs/meta.properties"))).isTrue();
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files
                    .getPosixFilePermissions(state))).isEqualTo("rwx------");
            // the ingress runs as its own main runs it: Tomcat's requests on virtual threads
            var ingress = launcher.roleContext(dev.tollgate.schemas.Roles.INGRESS).orElseThrow();
            var tomcat = (org.springframework.boot.tomcat.TomcatWebServer) ((org.springframework.boot.web.server.context.WebServerApplicationContext) ingress)
                    .getWebServer();
            assertThat(tomcat.getTomcat().getConnector().getProtocolHandler().getExecutor())
                    .isInstanceOf(org.apache.tomcat.util.threads.VirtualThreadExecutor.class);
        }
    }

    /**
     * A data folder that {@code tollgate bench} or {@code audit verify} made with the umask
     * (0755), holding the broker's log others could read, is made 0700 before the broker writes
     * to it; it used to be kept with only a warning.
     */
    @Test
    void aDataFolderOtherUsersCanEnterIsMadePrivateBeforeAnythingIsWritten(@TempDir Path parent)
            throws Exception {
        Path data = Files.createDirectories(parent.resolve(".tollgate/bench-ts-client"))
                .getParent();
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions
                .fromString("rwxr-xr-x"));

        var said = TollgateLauncher.prepareDataFolder(data);

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files
                .getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(said).hasValueSatisfying(line -> assertThat(line).contains("the data folder",
                data.toAbsolutePath().toString(), "rwxr-xr-x"));
        assertThat(TollgateLauncher.prepareDataFolder(data)).isEmpty();
    }

    @Test
    void keepsBrokerDataAcrossRestartsUnlessToldToStartFresh(@TempDir Path data)
            throws Exception {
        String[] args = {"--data-dir", data.toString(), "--kafka-port", "0", "--server.port=0"};
        try (TollgateLauncher first = TollgateLauncher.start(LauncherOptions.parse(args, Map
                .of())); Admin admin = admin(first)) {
            admin.createTopics(List.of(new NewTopic("kept.marker", 1, (short) 1))).all().get(30,
                    TimeUnit.SECONDS);
        }

        // what else the data folder holds: the audit store (a marker in it) and generated keys
        Path auditMarker = Files.writeString(data.resolve("audit").resolve("marker"), "kept");
        Path signingKey = Files.writeString(data.resolve("token-signing-key"),
                "a signing key of the first lifetime, 32+ characters long");
        Path elsewhere = Files.writeString(data.resolve("operator-notes.txt"), "not ours");
        Path checkpoints = Files.writeString(data.resolve("audit-checkpoints.jsonl"), "{}\n");
        String ingressPassword = Files.readString(data.resolve(
                "kafka-credentials/ingress.password"));
        String decisionKey = Files.readString(data.resolve("decision-signing-key"));
        try (TollgateLauncher kept = TollgateLauncher.start(LauncherOptions.parse(args, Map
                .of())); Admin admin = admin(kept)) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(
                    "kept.marker");
        }
        assertThat(auditMarker).exists();
        assertThat(signingKey).hasContent("a signing key of the first lifetime, 32+ characters"
                + " long");
        assertThat(data.resolve("kafka-credentials/ingress.password")).hasContent(
                ingressPassword);
        assertThat(data.resolve("decision-signing-key")).hasContent(decisionKey);

        String[] fresh = {"--fresh", "--data-dir", data.toString(), "--kafka-port", "0",
                "--server.port=0"};
        try (TollgateLauncher wiped = TollgateLauncher.start(LauncherOptions.parse(fresh, Map
                .of())); Admin admin = admin(wiped)) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(
                    "kept.marker").contains(Topics.REQUESTS.name());
        }
        // the audit store and the keys went with the broker's log; nothing else did
        assertThat(auditMarker).doesNotExist();
        assertThat(checkpoints).as("checkpoints of the wiped store's chains").doesNotExist();
        assertThat(data.resolve("audit").resolve("lock")).exists();
        assertThat(signingKey).satisfiesAnyOf(key -> assertThat(key).doesNotExist(),
                key -> assertThat(Files.readString(key)).doesNotContain("first lifetime"));
        assertThat(elsewhere).hasContent("not ours");
        assertThat(Files.readString(data.resolve("kafka-credentials/ingress.password")))
                .as("new principals with the new broker").isNotEqualTo(ingressPassword);
        assertThat(Files.readString(data.resolve("decision-signing-key"))).isNotEqualTo(
                decisionKey);
    }

    @Test
    void refusesUnknownArgumentsWithUsage() {
        assertThatThrownBy(() -> LauncherOptions.parse(new String[]{"--frsh"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown argument '--frsh'")
                .hasMessageContaining("Usage: tollgate");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[]{"--kafka-port", "70000"},
                Map.of())).hasMessageContaining("must be a port number");
    }

    @Test
    void serviceGatorsPolicyOptionsReachTheDecisionWorkerInOrderAndNeverBesideAFile() {
        String scope = "{\"gh\": {\"repos\": {\"myorg/docs\": {\"read\": true}}}}";
        LauncherOptions options = LauncherOptions.parse(new String[]{"--gh-repo",
                "myorg/app:read,push-new-branch", "--scope", scope, "--gh-repo=myorg/lib:read",
                "--server.port=0"}, Map.of());

        assertThat(options.roleArgs()).containsExactly("--server.port=0",
                "--tollgate.policy.command-line=[\"--gh-repo\",\"myorg/app:read,push-new-branch\","
                        + "\"--scope\",\"{\\\"gh\\\": {\\\"repos\\\": {\\\"myorg/docs\\\": "
                        + "{\\\"read\\\": true}}}}\",\"--gh-repo\",\"myorg/lib:read\"]");
        assertThatThrownBy(() -> LauncherOptions.parse(new String[]{"--gh-repo", "myorg/app:read",
                "--tollgate.policy.file=p.toml"}, Map.of())).hasMessageContaining("not both");
    }

    @Test
    void readsDefaultsFromTheEnvironmentAndLetsFlagsWin() {
        LauncherOptions fromEnv = LauncherOptions.parse(new String[0], Map.of(
                "TOLLGATE_DATA_DIR", "/var/lib/tollgate", "SPRING_KAFKA_BOOTSTRAP_SERVERS",
                "kafka-1:9092"));
        LauncherOptions flags = LauncherOptions.parse(new String[]{"--data-dir=/tmp/x",
                "--tollgate.policy.file=p.toml"}, Map.of("TOLLGATE_DATA_DIR", "/var/lib/t"));

        assertThat(fromEnv.dataDir()).isEqualTo(Path.of("/var/lib/tollgate"));
        assertThat(fromEnv.externalKafka()).isEqualTo("kafka-1:9092");
        assertThat(flags.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(flags.roleArgs()).containsExactly("--tollgate.policy.file=p.toml");
        assertThat(flags.externalKafka()).isNull();
    }

    @Test
    void takesEveryFlagAndRoleSettingWithAnEqualsSignOrASpace() {
        LauncherOptions spaced = LauncherOptions.parse(new String[]{"--data-dir", "/tmp/a",
                "--kafka", "kafka-1:9092", "--tollgate.policy.file", "p.toml", "--fresh"},
                Map.of());
        LauncherOptions joined = LauncherOptions.parse(new String[]{"--data-dir=/tmp/a",
                "--kafka=kafka-1:9092", "--tollgate.policy.file=p.toml", "--fresh"}, Map.of());

        assertThat(joined).isEqualTo(spaced);
        assertThat(spaced.roleArgs()).containsExactly("--tollgate.policy.file=p.toml");
        assertThat(spaced.externalKafka()).isEqualTo("kafka-1:9092");
        assertThat(spaced.fresh()).isTrue();
        assertThat(LauncherOptions.parse(new String[]{"--help"}, Map.of()).help()).isTrue();
        assertThatThrownBy(() -> LauncherOptions.parse(new String[]{"--tollgate.policy.file"},
                Map.of())).hasMessageContaining("unknown argument '--tollgate.policy.file'")
                .hasMessageContaining("--key=value");
    }

    private static Admin admin(TollgateLauncher launcher) {
        return Admin.create(launcher.kafkaClientProperties("broker"));
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
