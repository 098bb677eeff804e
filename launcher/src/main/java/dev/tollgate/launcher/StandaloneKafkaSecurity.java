package dev.tollgate.launcher;

import dev.tollgate.runtime.KafkaCredentials;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.schemas.KafkaAcls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * The standalone run's Kafka principals. On first start a password is generated for the broker's
 * own principal and for each role into {@code <data-dir>/kafka-credentials/} (a folder only this
 * user can enter, one file per principal, mode 0600, checked like every state file before it is
 * trusted, never logged); on every start the roles' SCRAM credentials are set from them and the
 * ACLs are made exactly {@link KafkaAcls}' table (an ACL of a {@code tollgate-*} principal that the
 * table no longer holds is removed). Each role is then given its own principal.
 */
public final class StandaloneKafkaSecurity {

    /** The folder under the data folder. */
    public static final String DIR = "kafka-credentials";
    /** The name {@link #clientProperties} takes for the broker's own principal (a super user). */
    public static final String BROKER = "broker";
    static final int SCRAM_ITERATIONS = 8192;
    private static final long TIMEOUT_SECONDS = 60;

    private final Path dir;
    private final String brokerPassword;
    private final Map<String, String> passwords;

    private StandaloneKafkaSecurity(Path dir, String brokerPassword,
            Map<String, String> passwords) {
        this.dir = dir;
        this.brokerPassword = brokerPassword;
        this.passwords = passwords;
    }

    /** Reads the passwords under {@code dataDir}, generating those missing. */
    public static StandaloneKafkaSecurity load(Path dataDir) {
        Path dir = dataDir.resolve(DIR);
        createPrivately(dir);
        String broker = SecretFiles.readOrGenerate("Kafka password of " + KafkaAcls.BROKER_USER,
                dir.resolve("broker.password"));
        Map<String, String> passwords = new LinkedHashMap<>();
        for (String role : KafkaAcls.STANDALONE_ROLES) {
            passwords.put(role, SecretFiles.readOrGenerate("Kafka password of " + KafkaAcls
                    .userOf(role), passwordFile(dir, role)));
        }
        return new StandaloneKafkaSecurity(dir, broker, passwords);
    }

    private static Path passwordFile(Path dir, String role) {
        return dir.resolve(role + ".password");
    }

    public String brokerPassword() {
        return brokerPassword;
    }

    /** The file holding {@code role}'s password (the role reads it itself). */
    public Path passwordFile(String role) {
        if (!passwords.containsKey(role)) {
            throw new IllegalArgumentException("no Kafka principal for role " + role);
        }
        return passwordFile(dir, role).toAbsolutePath();
    }

    /** {@code role}'s principal on the client listener. */
    KafkaCredentials.Principal principal(String role) {
        String password = passwords.get(role);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka principal for role " + role);
        }
        return new KafkaCredentials.Principal(KafkaAcls.userOf(role), password,
                EmbeddedKafkaServer.CLIENT_MECHANISM);
    }

    /** The broker's own principal on the client listener (a super user: operators' tools). */
    KafkaCredentials.Principal brokerPrincipal() {
        return new KafkaCredentials.Principal(KafkaAcls.BROKER_USER, brokerPassword,
                EmbeddedKafkaServer.CLIENT_MECHANISM);
    }

    /**
     * Client settings (bootstrap servers and SASL/SCRAM-SHA-512 over the client listener)
     * authenticating as {@code role}'s principal, or as the broker's own for {@value #BROKER} (a
     * super user: operators' tools, benchmarks). They hold a password: never log them.
     */
    public Map<String, Object> clientProperties(String bootstrapServers, String role) {
        KafkaCredentials.Principal principal = BROKER.equals(role)
                ? brokerPrincipal()
                : principal(role);
        Map<String, Object> props = new LinkedHashMap<>(principal.clientProperties(
                "SASL_PLAINTEXT"));
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /**
     * Sets every principal's SCRAM-SHA-512 credential (the broker's too, so that operators' tools
     * can use the client listener as it) and makes the ACLs of {@code tollgate-*} principals
     * exactly the table's.
     *
     * @return how many ACLs were removed because the table no longer holds them
     */
    public int apply(Admin admin) {
        List<UserScramCredentialAlteration> credentials = new ArrayList<>();
        ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512,
                SCRAM_ITERATIONS);
        credentials.add(new UserScramCredentialUpsertion(KafkaAcls.BROKER_USER, info,
                brokerPassword));
        passwords.forEach((role, password) -> credentials.add(new UserScramCredentialUpsertion(
                KafkaAcls.userOf(role), info, password)));
        List<AclBinding> wanted = KafkaAcls.bindings(KafkaAcls.STANDALONE_ROLES);
        try {
            admin.alterUserScramCredentials(credentials).all().get(TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
            admin.createAcls(wanted).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Set<AclBinding> keep = new HashSet<>(wanted);
            List<AclBindingFilter> stale = new ArrayList<>();
            for (AclBinding binding : admin.describeAcls(AclBindingFilter.ANY).values().get(
                    TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                if (binding.entry().principal().startsWith("User:tollgate-") && !keep.contains(
                        binding)) {
                    stale.add(binding.toFilter());
                }
            }
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            return stale.size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set the Kafka principals and ACLs: " + e
                    .getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the embedded broker did not set the Kafka principals"
                    + " and ACLs within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the Kafka ACLs", e);
        }
    }

    /**
     * Waits until every role's principal authenticates on the client listener. A credential the
     * controller accepted reaches the broker's authenticator a moment later, and a role whose first
     * login is refused stops its listeners (Spring Kafka treats an authentication failure as
     * fatal), so the roles start only after this.
     *
     * @throws IllegalStateException naming the principals still refused after the timeout
     */
    public void awaitAuthentication(String bootstrapServers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        List<String> waiting = new ArrayList<>(passwords.keySet());
        String last = "";
        while (!waiting.isEmpty()) {
            String role = waiting.get(0);
            Map<String, Object> props = clientProperties(bootstrapServers, role);
            props.put("request.timeout.ms", 5_000);
            props.put("default.api.timeout.ms", 5_000);
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                waiting.remove(0);
                continue;
            } catch (ExecutionException e) {
                last = String.valueOf(e.getCause());
            } catch (TimeoutException e) {
                last = "no answer";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka"
                        + " principals", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the embedded broker still refuses the Kafka"
                        + " principals of " + waiting + " after " + TIMEOUT_SECONDS + " s: "
                        + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka"
                        + " principals", e);
            }
        }
    }

    /** A folder only this user can enter; an existing one must be a real folder, not a link. */
    private static void createPrivately(Path dir) {
        try {
            if (Files.isSymbolicLink(dir)) {
                throw new IllegalStateException("refusing " + dir.toAbsolutePath()
                        + ": it is a symbolic link; delete it (new Kafka passwords are generated"
                        + " at the next start)");
            }
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.toAbsolutePath() + ": " + e
                    .getMessage(), e);
        }
    }
}
