package dev.tollgate.executor.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** HTTP response headers, names compared case-insensitively (GitHub sends them lower-cased). */
public final class ResponseHeaders {

    private static final ResponseHeaders EMPTY = new ResponseHeaders(Map.of());

    private final Map<String, List<String>> values;

    private ResponseHeaders(Map<String, List<String>> values) {
        this.values = values;
    }

    public static ResponseHeaders empty() {
        return EMPTY;
    }

    public static ResponseHeaders of(Map<String, ? extends List<String>> headers) {
        Map<String, List<String>> copy = new TreeMap<>();
        headers.forEach((name, list) -> copy.merge(name.toLowerCase(Locale.ROOT), List.copyOf(
                list),
                (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream())
                        .toList()));
        return new ResponseHeaders(Map.copyOf(copy));
    }

    /** Convenience for tests and fixtures: name, value, name, value, ... */
    public static ResponseHeaders of(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("headers come in name/value pairs");
        }
        Map<String, List<String>> map = new TreeMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            map.computeIfAbsent(nameValuePairs[i].toLowerCase(Locale.ROOT),
                    k -> new java.util.ArrayList<>()).add(nameValuePairs[i + 1]);
        }
        return of(map);
    }

    public Optional<String> first(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    public Map<String, List<String>> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.keySet().toString();
    }
}
