package dev.tollgate.compose.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs compose/src/test/k8s-validator/validate.mjs on Node: the Kubernetes, KEDA and Prometheus
 * Operator schemas of the kubernetes-models packages. The first run installs the pinned packages
 * ({@code package-lock.json}) with {@code npm ci} into {@code compose/target/k8s-validator} (the
 * npm registry must be reachable then; later runs reuse them while the lock file is unchanged).
 * Node 20 or newer and npm must be on the PATH.
 */
public final class SchemaValidator {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path work;

    private SchemaValidator(Path work) {
        this.work = work;
    }

    /** Installs the validator (once) under {@code target}; {@code sources} holds its files. */
    public static synchronized SchemaValidator install(Path sources, Path target) {
        try {
            Path work = target.resolve("k8s-validator");
            Files.createDirectories(work);
            byte[] lock = Files.readAllBytes(sources.resolve("package-lock.json"));
            Path installed = work.resolve("node_modules/.package-lock.json");
            Path stamp = work.resolve("installed-package-lock.json");
            boolean current = Files.isRegularFile(installed) && Files.isRegularFile(stamp)
                    && java.util.Arrays.equals(Files.readAllBytes(stamp), lock);
            for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
                Files.copy(sources.resolve(file), work.resolve(file),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (!current) {
                run(work, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
                Files.write(stamp, lock);
            }
            return new SchemaValidator(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One result per object, in order: its kind, name and the schema's complaints (if any). */
    public List<Result> validate(List<JsonNode> objects) {
        try {
            Path input = Files.createTempFile(work, "objects", ".json");
            try {
                JSON.writeValue(input.toFile(), objects);
                String out = run(work, 300, "node", "validate.mjs", input.getFileName()
                        .toString());
                List<Result> results = new ArrayList<>();
                for (JsonNode r : JSON.readTree(out)) {
                    List<String> errors = new ArrayList<>();
                    r.path("errors").forEach(e -> errors.add(e.asString()));
                    results.add(new Result(r.path("kind").asString(), r.path("name").asString(),
                            errors));
                }
                if (results.size() != objects.size()) {
                    throw new IllegalStateException("the validator answered for " + results.size()
                            + " of " + objects.size() + " objects: " + out);
                }
                return results;
            } finally {
                Files.deleteIfExists(input);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public record Result(String kind, String name, List<String> errors) {
    }

    private static String run(Path dir, long timeoutSeconds, String... command)
            throws IOException {
        Path log = Files.createTempFile(dir, "run", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectError(log.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException(String.join(" ", command)
                        + " cannot start: install Node.js 20+ and npm (Debian: apt-get install"
                        + " nodejs npm): " + e.getMessage(), e);
            }
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " still running after "
                        + timeoutSeconds + " s; its stderr: " + Files.readString(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited "
                        + process.exitValue() + " in " + dir + ": " + Files.readString(log));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
