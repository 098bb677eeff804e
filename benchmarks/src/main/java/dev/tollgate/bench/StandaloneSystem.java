package dev.tollgate.bench;

import dev.tollgate.launcher.LauncherOptions;
import dev.tollgate.launcher.TollgateLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The standalone system in this JVM, as the launcher's command line starts it: an embedded broker
 * on a free port, every role, the ingress on a free port, the executor pointed at the stand-in with
 * a freshly generated App key, and a policy granting read on the benchmark's owners. Everything
 * lives in a temporary folder that is deleted on close.
 */
final class StandaloneSystem implements AutoCloseable {

    private final Path dir;
    private final TollgateLauncher launcher;
    private final String adminKey;

    private StandaloneSystem(Path dir, TollgateLauncher launcher, String adminKey) {
        this.dir = dir;
        this.launcher = launcher;
        this.adminKey = adminKey;
    }

    static StandaloneSystem start(String githubUrl, List<String> owners, List<String> extraArgs)
            throws Exception {
        Path dir = Files.createTempDirectory("tollgate-bench");
        try {
            Path key = dir.resolve("app-key.pem");
            Files.writeString(key, pkcs8Pem());
            Path policy = dir.resolve("policy.toml");
            Files.writeString(policy, policy(owners));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String adminKey = HexFormat.of().formatHex(random);
            List<String> args = new ArrayList<>(List.of("--fresh", "--data-dir=" + dir.resolve(
                    "data"), "--kafka-port=0", "--server.port=0",
                    "--tollgate.github.app-id=1", "--tollgate.github.private-key-file=" + key,
                    "--tollgate.github.api-url=" + githubUrl, "--tollgate.policy.file="
                            + policy,
                    "--tollgate.policy.watch=false", "--tollgate.admin-key=" + adminKey,
                    // one agent drives the whole load: lift the per-agent rate limit
                    "--tollgate.ingress.rate-limit.agent-limit-for-period=1000000"));
            TollgateLauncher launcher = TollgateLauncher.start(LauncherOptions.parse(withOverrides(
                    args, extraArgs).toArray(String[]::new), java.util.Map.of()));
            return new StandaloneSystem(dir, launcher, adminKey);
        } catch (Exception | Error e) {
            delete(dir);
            throw e;
        }
    }

    /**
     * The defaults with {@code --key=value} overrides applied: a key given twice would reach Spring
     * as both values joined by a comma, so an override replaces the default instead.
     */
    static List<String> withOverrides(List<String> defaults, List<String> overrides) {
        List<String> args = new ArrayList<>();
        for (String arg : defaults) {
            int equals = arg.indexOf('=');
            String key = equals < 0 ? arg : arg.substring(0, equals + 1);
            if (overrides.stream().noneMatch(o -> equals < 0
                    ? o.equals(key)
                    : o.startsWith(
                            key))) {
                args.add(arg);
            }
        }
        args.addAll(overrides);
        return args;
    }

    static String policy(List<String> owners) {
        StringBuilder text = new StringBuilder("# benchmark policy: read on the benchmark owners\n"
                + "[gh.repos]\n");
        owners.forEach(owner -> text.append('"').append(owner).append("/*\" = { read = true }\n"));
        return text.toString();
    }

    /** A fresh 2048-bit RSA key as PKCS#8 PEM, as the executor reads it. */
    static String pkcs8Pem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(
                StandardCharsets.US_ASCII)).encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
    }

    String baseUrl() {
        return "http://127.0.0.1:" + launcher.httpPort();
    }

    String bootstrapServers() {
        return launcher.bootstrapServers();
    }

    String adminKey() {
        return adminKey;
    }

    @Override
    public void close() {
        launcher.close();
        delete(dir);
    }

    private static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
        }
    }
}
