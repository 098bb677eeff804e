package dev.tollgate.compose.k8s;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The API server's rules for names, which no OpenAPI schema expresses (they live in Go code:
 * k8s.io/apimachinery/pkg/util/validation and k8s.io/kubernetes/pkg/apis/core/validation). Each
 * check says which rule it applies; a manifest that breaks one is refused by {@code kubectl
 * apply} with "Invalid value".
 */
public final class NameRules {

    // validation.IsDNS1123Label: object names of most kinds' parts (containers, volumes, ports of
    // a Service), namespaces
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    // validation.IsDNS1123Subdomain: metadata.name of most kinds, referenced Secret/ConfigMap names
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    // validation.IsDNS1035Label: Service names
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    // validation.IsValidPortName (IANA_SVC_NAME): container port names, named targetPorts
    private static final Pattern PORT_NAME = Pattern.compile("[-a-z0-9]+");
    // validation.IsQualifiedName's name part, and IsValidLabelValue
    private static final Pattern QUALIFIED_NAME = Pattern.compile(
            "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    // validation.IsEnvVarName (the classic rule; 1.30's relaxed rule accepts a superset)
    private static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    // validation.IsConfigMapKey
    private static final Pattern CONFIG_MAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    // kinds whose metadata.name is a DNS-1123 label or DNS-1035 label rather than a subdomain
    private static final Map<String, Pattern> NAME_RULE = Map.of("Service", DNS1035_LABEL,
            "Namespace", DNS1123_LABEL);

    private final List<String> problems = new ArrayList<>();

    private NameRules() {
    }

    /** Every breach of the name rules in {@code objects}, each naming the object and the path. */
    public static List<String> check(List<JsonNode> objects) {
        NameRules rules = new NameRules();
        for (JsonNode object : objects) {
            rules.object(object);
        }
        return rules.problems;
    }

    private void object(JsonNode object) {
        String kind = object.path("kind").asString();
        String where = kind + " " + object.at("/metadata/name").asString();
        Pattern rule = NAME_RULE.getOrDefault(kind, DNS1123_SUBDOMAIN);
        String name = object.at("/metadata/name").asString("");
        check(where, "metadata.name", name, rule, NAME_RULE.containsKey(kind) ? 63 : 253);
        metadata(where, "metadata", object.path("metadata"));
        if (object.at("/metadata/namespace").isString()) {
            check(where, "metadata.namespace", object.at("/metadata/namespace").asString(),
                    DNS1123_LABEL, 63);
        }
        labelMap(where, "spec.selector.matchLabels", object.at("/spec/selector/matchLabels"));
        switch (kind) {
            case "Deployment", "StatefulSet", "DaemonSet", "Job" -> {
                JsonNode template = object.at("/spec/template");
                metadata(where, "spec.template.metadata", template.path("metadata"));
                pod(where, template.path("spec"));
                // apps/v1 validation: "selector does not match template labels"
                object.at("/spec/selector/matchLabels").properties().forEach(e -> {
                    if (!e.getValue().equals(template.at("/metadata/labels").path(e.getKey()))) {
                        problems.add(where + ": spec.selector.matchLabels." + e.getKey()
                                + " does not match the template's labels");
                    }
                });
            }
            case "Service" -> {
                labelMap(where, "spec.selector", object.at("/spec/selector"));
                for (JsonNode port : object.at("/spec/ports")) {
                    check(where, "spec.ports[].name", port.path("name").asString(""),
                            DNS1123_LABEL, 63);
                    if (port.path("targetPort").isString()) {
                        portName(where, "spec.ports[].targetPort", port.path("targetPort")
                                .asString());
                    }
                }
            }
            case "ConfigMap", "Secret" -> {
                for (String field : List.of("data", "binaryData", "stringData")) {
                    object.path(field).propertyNames().forEach(key -> check(where, field + " key",
                            key, CONFIG_MAP_KEY, 253));
                }
            }
            case "ScaledObject" -> check(where, "spec.scaleTargetRef.name", object.at(
                    "/spec/scaleTargetRef/name").asString(""), DNS1123_SUBDOMAIN, 253);
            default -> {
            }
        }
    }

    private void metadata(String where, String path, JsonNode metadata) {
        labelMap(where, path + ".labels", metadata.path("labels"));
        metadata.path("annotations").propertyNames().forEach(key -> qualifiedName(where, path
                + ".annotations key", key));
    }

    private void labelMap(String where, String path, JsonNode labels) {
        labels.properties().forEach(e -> {
            qualifiedName(where, path + " key", e.getKey());
            String value = e.getValue().asString("");
            if (!e.getValue().isString()) {
                problems.add(where + ": " + path + "." + e.getKey() + " is not a string");
            } else if (!value.isEmpty()) {
                check(where, path + "." + e.getKey(), value, QUALIFIED_NAME, 63);
            }
        });
    }

    private void pod(String where, JsonNode pod) {
        Set<String> volumes = new HashSet<>();
        for (JsonNode volume : pod.path("volumes")) {
            String name = volume.path("name").asString("");
            check(where, "volumes[].name", name, DNS1123_LABEL, 63);
            if (!volumes.add(name)) {
                problems.add(where + ": volume " + name + " declared twice");
            }
            for (String source : List.of("secret", "configMap")) {
                JsonNode ref = volume.path(source);
                if (ref.isObject()) {
                    check(where, "volumes[]." + source + " name", ref.path(source.equals("secret")
                            ? "secretName"
                            : "name").asString(""), DNS1123_SUBDOMAIN, 253);
                    int mode = ref.path("defaultMode").asInt(0644);
                    if (mode < 0 || mode > 0777) {
                        problems.add(where + ": volume " + name + " defaultMode " + mode
                                + " is not between 0 and 0777");
                    }
                }
            }
        }
        Set<String> containers = new HashSet<>();
        Set<String> ports = new HashSet<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : pod.path(list)) {
                String name = container.path("name").asString("");
                check(where, list + "[].name", name, DNS1123_LABEL, 63);
                if (!containers.add(name)) {
                    problems.add(where + ": container " + name + " declared twice");
                }
                Set<String> own = new HashSet<>();
                for (JsonNode port : container.path("ports")) {
                    if (port.has("name")) {
                        String portName = port.path("name").asString("");
                        portName(where, name + " ports[].name", portName);
                        if (!ports.add(portName)) {
                            problems.add(where + ": port name " + portName + " used twice");
                        }
                        own.add(portName);
                    }
                }
                for (JsonNode env : container.path("env")) {
                    check(where, name + " env[].name", env.path("name").asString(""),
                            ENV_VAR_NAME, Integer.MAX_VALUE);
                }
                Set<String> mountPaths = new HashSet<>();
                for (JsonNode mount : container.path("volumeMounts")) {
                    String volume = mount.path("name").asString("");
                    if (!volumes.contains(volume)) {
                        problems.add(where + ": " + name + " mounts volume " + volume
                                + ", which the pod does not declare");
                    }
                    if (!mountPaths.add(mount.path("mountPath").asString(""))) {
                        problems.add(where + ": " + name + " mounts "
                                + mount.path("mountPath").asString() + " twice");
                    }
                }
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode port = container.path(probe).path("httpGet").path("port");
                    if (port.isString() && !own.contains(port.asString())) {
                        problems.add(where + ": " + name + " " + probe + " names port "
                                + port.asString() + ", which the container does not declare");
                    }
                }
            }
        }
    }

    private void portName(String where, String path, String name) {
        // IsValidPortName: at most 15 characters, [-a-z0-9], at least one letter, no hyphen at
        // either end or two in a row
        if (name.length() > 15 || !PORT_NAME.matcher(name).matches() || !name.matches(
                ".*[a-z].*") || name.startsWith("-") || name.endsWith("-") || name.contains(
                        "--")) {
            problems.add(where + ": " + path + " '" + name
                    + "' is not an IANA_SVC_NAME (at most 15 of [-a-z0-9], a letter, no leading,"
                    + " trailing or double hyphen)");
        }
    }

    private void qualifiedName(String where, String path, String key) {
        // IsQualifiedName: an optional DNS-1123 subdomain prefix and '/', then a name of at most
        // 63 characters
        int slash = key.indexOf('/');
        if (slash >= 0) {
            check(where, path + " prefix", key.substring(0, slash), DNS1123_SUBDOMAIN, 253);
        }
        check(where, path, key.substring(slash + 1), QUALIFIED_NAME, 63);
    }

    private void check(String where, String path, String value, Pattern rule, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength || !rule.matcher(value).matches()) {
            problems.add(where + ": " + path + " '" + value + "' does not match " + rule.pattern()
                    + (maxLength < Integer.MAX_VALUE ? " (at most " + maxLength + ")" : ""));
        }
    }
}
