package dev.tollgate.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The commands of compose/secrets/README.md that make every secret file, run by {@code sh} as a
 * user would: from a repository root whose {@code compose/secrets} a checkout made (0755), under
 * the usual umask 022, with {@code GITHUB_APP_KEY} naming a key saved as a browser may save it.
 */
final class SecretsReadme {

    private static final String HEADING = "Make them all";

    private SecretsReadme() {
    }

    /** The indented block after the paragraph starting "Make them all", one command a line. */
    static String script() {
        List<String> lines;
        try {
            lines = Files.readAllLines(RoleSettings.repository().resolve(
                    "compose/secrets/README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(HEADING)) {
                start = i;
            }
        }
        if (start < 0) {
            throw new AssertionError("compose/secrets/README.md has no paragraph starting '"
                    + HEADING + "' before its commands");
        }
        StringBuilder script = new StringBuilder();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("    ")) {
                script.append(line.substring(4)).append('\n');
            } else if (!line.isBlank() && !script.isEmpty()) {
                break;
            }
        }
        return script.toString();
    }

    /** Runs {@link #script()} in {@code root} (a fresh checkout's compose/secrets) and returns its output. */
    static String make(Path root) throws IOException, InterruptedException {
        Path secrets = Files.createDirectories(root.resolve("compose/secrets"));
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(secrets.resolve("README.md"), "# secrets\n");
        Path key = root.resolve("downloaded-app-key.pem");
        Files.writeString(key,
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "set -eu\numask 022\n" + script())
                .directory(root.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("GITHUB_APP_KEY", key.toString()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("secrets/README.md's commands did not end; they printed:\n"
                    + output);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("secrets/README.md's commands failed (" + process.exitValue()
                    + "):\n" + output);
        }
        return output;
    }
}
