package dev.tollgate.compose.scale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.compose.RoleSettings;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

/**
 * Roles started as their own JVMs from their runnable jars, configured only by environment
 * variables, as a deployment runs them; each writes its log to {@code <logs>/<name>.log}. Closing
 * stops them all (SIGTERM, then SIGKILL after 30 s).
 */
final class RoleProcesses implements AutoCloseable {

    /** A role started as its own JVM, serving HTTP on {@code port}. */
    record Role(String name, Process process, int port) {
    }

    private final KafkaTestBroker broker;
    private final Path logs;
    private final List<Role> roles = new ArrayList<>();
    /** The decision workers sign with it, the executors verify with it (created on first use). */
    private Path decisionKeyFile;
    private DecisionSigner signer;

    RoleProcesses(KafkaTestBroker broker, Path logs) {
        this.broker = broker;
        this.logs = logs;
    }

    /** Signs a decision a test puts on the topic itself, as the decision workers sign theirs. */
    synchronized DecisionSigner signer() {
        decisionKeyFile();
        return signer;
    }

    private synchronized Path decisionKeyFile() {
        if (decisionKeyFile == null) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            try {
                Files.createDirectories(logs);
                Path file = Files.createTempFile(logs, "decision-signing-key", "",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                                "rw-------")));
                Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n");
                decisionKeyFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            signer = new DecisionSigner(DecisionKey.of(secret));
        }
        return decisionKeyFile;
    }

    /** Starts {@code module}'s jar without waiting for it. */
    Role launch(String module, String name, Map<String, String> roleEnv) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path jar = RoleSettings.repository().resolve(module + "/target/tollgate-" + module
                + "-0.1.0-SNAPSHOT-exec.jar");
        assertThat(jar).as("build it first: ./mvnw -o -q -B -pl " + module
                + " install -DskipTests").isRegularFile();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(logs
                        .resolve(
                                name + ".log")
                        .toFile());
        Map<String, String> env = builder.environment();
        env.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("TOLLGATE_KAFKA_PROVISION_TOPICS", "false");
        env.put("TOLLGATE_INSTANCE_ID", name);
        env.put("TOLLGATE_DECISION_SIGNING_KEY_FILE", decisionKeyFile().toString());
        env.put("TOLLGATE_EXECUTOR_DECISION_KEY_FILES", decisionKeyFile().toString());
        env.putAll(roleEnv);
        Role role = new Role(name, builder.start(), port);
        roles.add(role);
        return role;
    }

    /** Starts {@code module}'s jar and waits until its /readyz answers 200. */
    Role start(String module, String name, Map<String, String> roleEnv) throws Exception {
        Role role = launch(module, name, roleEnv);
        awaitReady(role);
        return role;
    }

    void awaitReady(Role role) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            assertThat(role.process().isAlive()).as(role.name() + " exited; see " + logs.resolve(
                    role.name() + ".log")).isTrue();
            try {
                var connection = (java.net.HttpURLConnection) URI.create("http://127.0.0.1:"
                        + role.port() + "/readyz").toURL().openConnection();
                connection.setConnectTimeout(2000);
                connection.setReadTimeout(5000);
                int status = connection.getResponseCode();
                connection.disconnect();
                if (status == 200) {
                    return;
                }
                last = "HTTP " + status;
            } catch (java.io.IOException notYet) {
                last = notYet.toString(); // still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError(role.name() + " not ready (" + last + "); see " + logs);
    }

    List<Role> roles() {
        return List.copyOf(roles);
    }

    Role role(String name) {
        return roles.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** A policy granting read on {@code org-0/app} ... {@code org-(n-1)/app}, the scale tests' repositories. */
    static Path writeReadPolicy(Path file, int installations) throws java.io.IOException {
        StringBuilder repos = new StringBuilder("version = 1\nmode = \"enforce\"\n[gh.repos]\n");
        for (int i = 0; i < installations; i++) {
            repos.append("\"org-").append(i).append("/app\" = { read = true }\n");
        }
        return java.nio.file.Files.writeString(file, repos);
    }

    /** {@code org-N/app=1000+N,...}: the executors need not look installations up. */
    static String staticInstallations(int installations) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < installations; i++) {
            text.append(i == 0 ? "" : ",").append("org-").append(i).append("/app=").append(1000
                    + i);
        }
        return text.toString();
    }

    /** Waits until {@code group} is stable with exactly {@code members} members. */
    static void awaitGroup(KafkaTestBroker broker, String group, int members) throws Exception {
        try (Admin admin = broker.admin()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(
                        group)).all().get().get(group);
                if (description.groupState() == GroupState.STABLE && description.members()
                        .size() == members) {
                    return;
                }
                Thread.sleep(250);
            }
        }
        throw new AssertionError("group " + group + " never had " + members + " members");
    }

    /** Stops every role: SIGTERM, then SIGKILL for any still running after 30 s. */
    @Override
    public void close() throws InterruptedException {
        for (Role role : roles) {
            role.process().destroy();
        }
        for (Role role : roles) {
            if (!role.process().waitFor(30, TimeUnit.SECONDS)) {
                role.process().destroyForcibly();
            }
        }
        roles.clear();
    }
}
