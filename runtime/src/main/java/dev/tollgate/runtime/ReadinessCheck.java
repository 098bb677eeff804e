package dev.tollgate.runtime;

/**
 * One thing a role needs before it can do its work (Kafka reachable, policy loaded, ...). Beans of
 * this type are gathered by {@link ReadinessRegistry} and reported by {@code /readyz}.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /** The result of one check. */
    record Result(String name, boolean ready, String detail) {

        public static Result ready(String name, String detail) {
            return new Result(name, true, detail);
        }

        public static Result notReady(String name, String detail) {
            return new Result(name, false, detail);
        }
    }

    Result check();
}
