package dev.tollgate.audit.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.core.SourcePosition;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Prints the heap a million events keep in the event ID index, against the map it replaced. A
 * figure for the record (in {@code target/surefire-reports/*-output.txt}), not a benchmark: the only
 * assertion is that the index is the smaller one.
 */
class EventIdIndexFootprintTest {

    private static final int EVENTS = 1_000_000;
    private static final int PARTITIONS = 12;

    /** The shape the store kept before: event ID → (chain ID, offset). */
    private record Location(String chainId, long offset) {
    }

    @Test
    void printsTheRetainedHeapPerEventOfTheOldMapAndOfTheIndex() {
        // As appendAll filled it: a fresh ID string, and entry.chainId() builds a fresh chain ID.
        long appendedMap = retainedByMap(i -> SourcePosition.chainIdOf("gateway.requests", i
                % PARTITIONS));
        // As recover() filled it: one chain ID string per file.
        String[] chainIds = new String[PARTITIONS];
        Arrays.setAll(chainIds, p -> SourcePosition.chainIdOf("gateway.requests", p));
        long recoveredMap = retainedByMap(i -> chainIds[i % PARTITIONS]);

        long before = usedHeapAfterGc();
        EventIdIndex index = new EventIdIndex();
        for (int i = 0; i < EVENTS; i++) {
            index.add(index.hash(UUID.randomUUID().toString()), EventIdIndex.pack(i % PARTITIONS,
                    i * 1500L));
        }
        long indexBytes = usedHeapAfterGc() - before;
        Reference.reachabilityFence(index);

        System.out.printf("event ID index footprint, %,d events: HashMap<String, Location> %.1f"
                + " bytes per event as appended, %.1f as recovered; EventIdIndex %.1f bytes per"
                + " event (%,d bytes: %,d slots of 16 bytes, load %.2f)%n", EVENTS,
                (double) appendedMap / EVENTS, (double) recoveredMap / EVENTS,
                (double) indexBytes / EVENTS, indexBytes, index.capacity(), (double) index
                        .size() / index.capacity());
        assertThat(indexBytes).isLessThan(recoveredMap).isLessThan(appendedMap);
    }

    private static long retainedByMap(IntFunction<String> chainId) {
        long before = usedHeapAfterGc();
        Map<String, Location> map = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            map.put(UUID.randomUUID().toString(), new Location(chainId.apply(i), i * 1500L));
        }
        long retained = usedHeapAfterGc() - before;
        Reference.reachabilityFence(map);
        return retained;
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
