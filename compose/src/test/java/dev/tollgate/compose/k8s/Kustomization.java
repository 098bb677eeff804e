package dev.tollgate.compose.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders a kustomization the way {@code kubectl apply -k} does, for the subset of kustomize that
 * compose/k8s uses: {@code resources} (files, or directories holding a kustomization),
 * {@code components} ({@code kind: Component} directories whose resources join the including
 * kustomization's), {@code namespace} and {@code labels} (pairs added to {@code metadata.labels}
 * only, kustomize's default without {@code includeSelectors}/{@code includeTemplates}). Any other
 * field fails the rendering, so this never silently differs from kustomize. No kustomize or
 * kubectl binary is available to the build; this is its stand-in.
 */
public final class Kustomization {

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace",
            "labels", "resources", "components");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final List<JsonNode> objects;
    private final Set<Path> files;

    private Kustomization(List<JsonNode> objects, Set<Path> files) {
        this.objects = objects;
        this.files = files;
    }

    /** The objects {@code kubectl apply -k dir} would send, in order. */
    public static Kustomization render(Path dir) {
        Set<Path> files = new LinkedHashSet<>();
        List<JsonNode> objects = render(dir.toAbsolutePath().normalize(), "Kustomization", files);
        return new Kustomization(objects, files);
    }

    public List<JsonNode> objects() {
        return objects;
    }

    /** Every file the rendering read (kustomization files included). */
    public Set<Path> files() {
        return files;
    }

    private static List<JsonNode> render(Path dir, String expectedKind, Set<Path> files) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " holds no kustomization.yaml");
        }
        files.add(file);
        JsonNode k = YAML.readTree(file.toFile());
        k.propertyNames().forEach(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(file + ": '" + field
                        + "' is not rendered by this stand-in for kustomize: extend Kustomization");
            }
        });
        if (!k.path("kind").asString("Kustomization").equals(expectedKind)) {
            throw new IllegalArgumentException(file + " is a " + k.path("kind").asString()
                    + ", included as a " + expectedKind);
        }
        List<JsonNode> objects = new ArrayList<>();
        for (JsonNode resource : k.path("resources")) {
            Path path = dir.resolve(resource.asString()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(render(path, "Kustomization", files));
            } else {
                files.add(path);
                objects.addAll(load(path));
            }
        }
        for (JsonNode component : k.path("components")) {
            objects.addAll(render(dir.resolve(component.asString()).normalize(), "Component",
                    files));
        }
        String namespace = k.path("namespace").asString(null);
        for (JsonNode object : objects) {
            ObjectNode metadata = (ObjectNode) object.path("metadata");
            if (namespace != null) {
                metadata.put("namespace", namespace);
            }
            for (JsonNode label : k.path("labels")) {
                label.propertyNames().forEach(field -> {
                    if (!field.equals("pairs")) {
                        throw new IllegalArgumentException(file + ": labels." + field
                                + " is not rendered by this stand-in for kustomize");
                    }
                });
                ObjectNode labels = metadata.has("labels")
                        ? (ObjectNode) metadata.get("labels")
                        : metadata.putObject("labels");
                label.path("pairs").properties().forEach(pair -> labels.set(pair.getKey(), pair
                        .getValue()));
            }
        }
        return objects;
    }

    /** Every document of a YAML file, skipping empty ones. */
    public static List<JsonNode> load(Path file) {
        List<JsonNode> objects = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (values.hasNextValue()) {
                JsonNode node = values.nextValue();
                if (node != null && node.isObject()) {
                    if (!node.path("metadata").isObject()) {
                        throw new IllegalArgumentException(file + ": a "
                                + node.path("kind").asString() + " without metadata");
                    }
                    objects.add(node);
                }
            }
        }
        return objects;
    }
}
