package dev.tollgate.compose.k8s;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which NetworkPolicies apply to a pod, as the API defines it: a policy selects the pods of its
 * namespace whose labels its {@code podSelector} matches ({@code matchLabels} and
 * {@code matchExpressions} with {@code In}, {@code NotIn}, {@code Exists}, {@code DoesNotExist};
 * an empty selector matches every pod), for the directions of its {@code policyTypes} (when
 * omitted: Ingress, plus Egress if it has egress rules). A pod selected for a direction accepts
 * only what one of those policies' rules allows; a policy of that type with no rules allows
 * nothing.
 */
public final class NetworkPolicies {

    private NetworkPolicies() {
    }

    /** Whether a label selector matches a set of labels. */
    public static boolean matches(JsonNode selector, JsonNode labels) {
        for (var entry : selector.path("matchLabels").properties()) {
            if (!labels.path(entry.getKey()).isString() || !labels.path(entry.getKey())
                    .asString().equals(entry.getValue().asString())) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asString();
            Set<String> values = new LinkedHashSet<>();
            expression.path("values").forEach(v -> values.add(v.asString()));
            boolean has = labels.has(key);
            String value = labels.path(key).asString("");
            boolean ok = switch (expression.path("operator").asString()) {
                case "In" -> has && values.contains(value);
                case "NotIn" -> !has || !values.contains(value);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new IllegalArgumentException("unknown selector operator in "
                        + expression);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The directions a policy governs. */
    public static Set<String> types(JsonNode policy) {
        Set<String> types = new LinkedHashSet<>();
        JsonNode declared = policy.at("/spec/policyTypes");
        if (declared.isArray() && !declared.isEmpty()) {
            declared.forEach(t -> types.add(t.asString()));
        } else {
            types.add("Ingress");
            if (policy.at("/spec/egress").isArray()) {
                types.add("Egress");
            }
        }
        return types;
    }

    /** The policies of {@code type} ("Ingress" or "Egress") that select a pod with these labels. */
    public static List<JsonNode> selecting(List<JsonNode> policies, JsonNode podLabels,
            String type) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode policy : policies) {
            if (types(policy).contains(type) && matches(policy.at("/spec/podSelector"),
                    podLabels)) {
                found.add(policy);
            }
        }
        return found;
    }

    /** The rules ("ingress" or "egress") of the policies of that type selecting the pod. */
    public static List<JsonNode> rules(List<JsonNode> policies, JsonNode podLabels, String type) {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode policy : selecting(policies, podLabels, type)) {
            policy.at("/spec/" + type.toLowerCase(java.util.Locale.ROOT)).forEach(rules::add);
        }
        return rules;
    }
}
