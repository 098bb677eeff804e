package dev.tollgate.bench;

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
 * What every way of running the system shares: a temporary folder holding a freshly generated App
 * key (PKCS#8 PEM), a policy granting read on the benchmark's owners, the data and the children's
 * logs; and a random admin key. Closing deletes the folder except the logs.
 */
record SystemSetup(Path dir, Path appKey, Path policy, String adminKey) {

    static SystemSetup create(List<String> owners) throws Exception {
        Path dir = Files.createTempDirectory("tollgate-bench");
        try {
            Path key = Files.writeString(dir.resolve("app-key.pem"), pkcs8Pem());
            Path policy = Files.writeString(dir.resolve("policy.toml"), policy(owners));
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            return new SystemSetup(dir, key, policy, HexFormat.of().formatHex(random));
        } catch (Exception | Error e) {
            delete(dir, false);
            throw e;
        }
    }

    /**
     * The launcher's arguments, as the in-JVM run has always passed them (the admin key aside:
     * {@link #adminKeyArg()}): a fresh data folder, free ports, the executor pointed at the
     * stand-in, the policy, the per-agent limits lifted (one agent drives the whole load: its
     * tool calls, every MCP message and its requests in progress, 64 by default); then
     * {@code --set} overrides.
     */
    List<String> launcherArgs(String githubUrl, List<String> overrides) {
        return withOverrides(List.of("--fresh", "--data-dir=" + dir.resolve("data"),
                "--kafka-port=0", "--server.port=0", "--tollgate.github.app-id=1",
                "--tollgate.github.private-key-file=" + appKey, "--tollgate.github.api-url="
                        + githubUrl,
                "--tollgate.policy.file=" + policy, "--tollgate.policy.watch=false",
                "--tollgate.ingress.rate-limit.agent-limit-for-period=1000000",
                "--tollgate.ingress.rate-limit.protocol-limit-for-period=1000000",
                "--tollgate.ingress.max-requests-in-flight-per-agent=1000000"), overrides);
    }

    String adminKeyArg() {
        return "--tollgate.admin-key=" + adminKey;
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

    /** A child's log file in the folder. */
    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** Deletes the data, key and policy; the logs stay (and are named) if there are any. */
    void delete() {
        delete(dir, true);
    }

    /** Deletes {@code dir} and everything in it but, with {@code keepLogs}, its logs. */
    static void delete(Path dir, boolean keepLogs) {
        boolean kept = false;
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                boolean log = keepLogs && path.getParent().equals(dir) && path.getFileName()
                        .toString().endsWith(".log");
                if (log || (path.equals(dir) && kept)) {
                    kept = true;
                    continue;
                }
                path.toFile().delete();
            }
        } catch (IOException e) {
            System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
        }
        if (kept) {
            System.err.println("[bench] the logs are kept in " + dir);
        }
    }
}
