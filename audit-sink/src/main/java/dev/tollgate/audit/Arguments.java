package dev.tollgate.audit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} options after a command word; unknown options are an error. */
final class Arguments {

    private final Map<String, String> values = new HashMap<>();

    Arguments(List<String> args, Set<String> known) {
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (!known.contains(name)) {
                throw new UsageException("unknown option " + name + " (known: " + String.join(
                        ", ", new java.util.TreeSet<>(known)) + ")");
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(name + " needs a value");
            }
            values.put(name, args.get(++i));
        }
    }

    Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
    }

    long longValue(String name, long fallback) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " " + value + " is not a number");
        }
    }
}
