package dev.tollgate.compose.k8s;

import dev.tollgate.testsupport.NodeScripts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs compose/src/test/k8s-validator/validate.mjs on Node: the Kubernetes, KEDA and Prometheus
 * Operator schemas of the kubernetes-models packages, installed by {@link NodeScripts} into
 * {@code compose/target/k8s-validator}.
 */
public final class SchemaValidator {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final NodeScripts scripts;

    private SchemaValidator(NodeScripts scripts) {
        this.scripts = scripts;
    }

    /** Installs the validator (once) under {@code target}; {@code sources} holds its files. */
    public static SchemaValidator install(Path sources, Path target) {
        return new SchemaValidator(NodeScripts.install(sources, target.resolve("k8s-validator"),
                List.of("validate.mjs")));
    }

    /** One result per object, in order: its kind, name and the schema's complaints (if any). */
    public List<Result> validate(List<JsonNode> objects) {
        try {
            Path input = Files.createTempFile(scripts.work(), "objects", ".json");
            try {
                JSON.writeValue(input.toFile(), objects);
                String out = scripts.node(300, "validate.mjs", input.getFileName().toString());
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
}
