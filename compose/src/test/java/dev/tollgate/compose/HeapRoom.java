package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a role's container leaves beside the JVM's heap. The image (compose/Dockerfile) sizes the
 * heap as a percentage of the container's memory limit; the rest must hold what is not heap, which
 * {@link #BESIDE_THE_HEAP_MIB} bounds from a measurement, or the container is killed once the heap
 * grows.
 */
final class HeapRoom {

    /**
     * What a role's JVM holds beside its heap: its RSS less the heap's committed size was 202–235
     * MiB per role under load (Native Memory Tracking: metaspace, code, the collector's own
     * structures, threads, symbols; then the JVM's own code and libraries; benchmarks/README.md,
     * "The roles' memory beside the heap"), so 256 with a margin.
     */
    static final long BESIDE_THE_HEAP_MIB = 256;

    /** The JVM's own {@code MaxRAMPercentage} when a command names none. */
    static final int JVM_DEFAULT_PERCENTAGE = 25;

    private static final Pattern PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)");
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)([KMG]i?)?");

    private HeapRoom() {
    }

    /** The heap percentage of the image's own entrypoint. */
    static int imagePercentage() {
        try {
            return percentage(Files.readString(RoleSettings.repository().resolve(
                    "compose/Dockerfile"), StandardCharsets.UTF_8).lines().filter(l -> l
                            .startsWith("ENTRYPOINT"))
                    .findFirst().orElseThrow(
                            () -> new AssertionError("the Dockerfile has no ENTRYPOINT")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The heap percentage a command line gives, or the JVM's default. */
    static int percentage(String command) {
        Matcher m = PERCENTAGE.matcher(command);
        return m.find() ? Integer.parseInt(m.group(1)) : JVM_DEFAULT_PERCENTAGE;
    }

    /**
     * The heap percentage of a container: the image's, unless its command replaces the
     * entrypoint.
     */
    static int percentage(List<String> command) {
        return command.isEmpty() ? imagePercentage() : percentage(String.join(" ", command));
    }

    /**
     * Asserts that a container running a JVM has a memory limit and that the heap its command (or
     * the image's entrypoint, for none) asks for leaves {@link #BESIDE_THE_HEAP_MIB} of it.
     */
    static void assertRoom(String name, String limit, ToLongFunction<String> mib,
            JsonNode command) {
        assertThat(limit).as("%s's memory limit", name).isNotEmpty();
        List<String> words = new ArrayList<>();
        command.forEach(a -> words.add(a.asString()));
        int percentage = percentage(words);
        assertThat(besideTheHeap(mib.applyAsLong(limit), percentage)).as(
                "%s: MiB beside a heap of %d %% of %s", name, percentage, limit)
                .isGreaterThanOrEqualTo(BESIDE_THE_HEAP_MIB);
    }

    /** MiB left beside a heap of {@code percentage} % of {@code limitMib}. */
    static long besideTheHeap(long limitMib, int percentage) {
        return limitMib - limitMib * percentage / 100;
    }

    /**
     * A Kubernetes memory quantity in MiB: {@code Mi} and {@code Gi} are binary, {@code M} and
     * {@code G} decimal.
     */
    static long kubernetesMib(String quantity) {
        return mib(quantity, false);
    }

    /** A Compose memory size in MiB: Docker reads {@code M} and {@code G} as binary units. */
    static long composeMib(String size) {
        return mib(size, true);
    }

    private static long mib(String quantity, boolean binaryWithoutI) {
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            throw new AssertionError("not a memory size: " + quantity);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        boolean binary = binaryWithoutI || unit.endsWith("i");
        double bytes = switch (unit.isEmpty() ? "" : unit.substring(0, 1)) {
            case "K" -> n * (binary ? 1024.0 : 1000.0);
            case "M" -> n * (binary ? 1024.0 * 1024 : 1e6);
            case "G" -> n * (binary ? 1024.0 * 1024 * 1024 : 1e9);
            default -> n;
        };
        return (long) (bytes / (1024 * 1024));
    }
}
