package dev.tollgate.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A call's normalized arguments (after {@link Param} checks), read by name: what a tool's target
 * parser sees. Every value has the type its parameter normalizes to.
 *
 * @param values the normalized arguments
 */
public record Args(Map<String, Object> values) {

    public Args {
        values = Map.copyOf(values);
    }

    /** A string argument, or null when absent. */
    public String text(String name) {
        return values.get(name) instanceof String text ? text : null;
    }

    /** An integer argument, or null when absent. */
    public Long number(String name) {
        return values.get(name) instanceof Long number ? number : null;
    }

    /** A boolean argument, or null when absent. */
    public Boolean flag(String name) {
        return values.get(name) instanceof Boolean flag ? flag : null;
    }

    /** An array of strings, empty when absent. */
    public List<String> texts(String name) {
        List<String> texts = new ArrayList<>();
        if (values.get(name) instanceof List<?> list) {
            list.forEach(item -> texts.add((String) item));
        }
        return texts;
    }

    /** An array of objects, each as its own {@code Args}; empty when absent. */
    public List<Args> objects(String name) {
        List<Args> objects = new ArrayList<>();
        if (values.get(name) instanceof List<?> list) {
            for (Object item : list) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) item;
                objects.add(new Args(fields));
            }
        }
        return objects;
    }

    /** An object of strings (query parameters), empty when absent. */
    public Map<String, String> strings(String name) {
        if (values.get(name) instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, String> strings = (Map<String, String>) map;
            return strings;
        }
        return Map.of();
    }

    /** A target on the repository named by the {@code owner} and {@code repo} arguments. */
    public Target.Builder repository() {
        return Target.in(text("owner"), text("repo"));
    }
}
