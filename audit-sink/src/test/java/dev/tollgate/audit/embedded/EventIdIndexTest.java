package dev.tollgate.audit.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class EventIdIndexTest {

    /**
     * A stand-in for the chain files: location {@code pack(i % 1000, i)} "holds" {@code ids[i]}.
     * Counts how often a candidate is read, as the store would read a line.
     */
    private static final class Disk {
        final List<String> ids = new ArrayList<>();
        int reads;

        long store(EventIdIndex index, String id) {
            long location = EventIdIndex.pack(ids.size() % 1000, ids.size());
            ids.add(id);
            index.add(index.hash(id), location);
            return location;
        }

        long find(EventIdIndex index, String id) throws IOException {
            return index.find(index.hash(id), location -> {
                reads++;
                return ids.get((int) EventIdIndex.offsetOf(location)).equals(id);
            });
        }
    }

    private static String uuid(long i) {
        return new UUID(i * 0x9E3779B97F4A7C15L, ~i).toString();
    }

    @Test
    void findsEveryOneOfManyEntriesAndReadsNothingForNewIds() throws IOException {
        EventIdIndex index = new EventIdIndex();
        Disk disk = new Disk();
        List<Long> locations = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            String id = i % 2 == 0 ? uuid(i) : "undecodable:gateway.requests-" + (i % 7) + "@" + i;
            locations.add(disk.store(index, id));
        }

        disk.reads = 0;
        for (int i = 0; i < 200_000; i++) {
            assertThat(disk.find(index, disk.ids.get(i))).isEqualTo(locations.get(i));
        }
        int readsForStored = disk.reads;
        disk.reads = 0;
        for (int i = 200_000; i < 400_000; i++) {
            assertThat(disk.find(index, i % 2 == 0 ? uuid(i) : "undecodable:x-0@" + i)).isEqualTo(
                    EventIdIndex.NONE);
        }

        assertThat(index.size()).isEqualTo(200_000);
        assertThat(readsForStored).isEqualTo(200_000);
        assertThat(disk.reads).isZero();
    }

    @Test
    void entriesThatAllShareOneHashAreEachFoundByTheirId() throws IOException {
        EventIdIndex index = new EventIdIndex(id -> 7L, 2);
        Disk disk = new Disk();
        List<Long> locations = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            locations.add(disk.store(index, "event-" + i));
        }

        List<Long> found = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            found.add(disk.find(index, "event-" + i));
        }
        disk.reads = 0;
        long absent = disk.find(index, "event-300");

        assertThat(found).isEqualTo(locations);
        assertThat(absent).isEqualTo(EventIdIndex.NONE);
        assertThat(disk.reads).as("every entry with the hash is a candidate").isEqualTo(300);
    }

    @Test
    void entriesInSeveralCollidingGroupsSurviveGrowth() throws IOException {
        // Ten hashes for all IDs, whose home slots overlap and interleave as the table grows.
        ToLongFunction<String> tenHashes = id -> (id.hashCode() & 0x7fffffff) % 10 * 3L;
        EventIdIndex index = new EventIdIndex(tenHashes, 2);
        Disk disk = new Disk();
        List<Long> locations = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            locations.add(disk.store(index, "e" + i));
        }

        for (int i = 0; i < 5_000; i++) {
            assertThat(disk.find(index, "e" + i)).isEqualTo(locations.get(i));
        }
        assertThat(disk.find(index, "e5000")).isEqualTo(EventIdIndex.NONE);
    }

    @Test
    void doublesWhenMoreThanSixtyPercentOfTheSlotsWouldBeTaken() {
        EventIdIndex index = new EventIdIndex(EventIdIndex::hash64, 16);
        List<Integer> capacities = new ArrayList<>();

        for (int i = 0; i < 40; i++) {
            index.add(EventIdIndex.hash64("e" + i), EventIdIndex.pack(0, i));
            capacities.add(index.capacity());
        }

        assertThat(capacities.subList(0, 9)).containsOnly(16);
        assertThat(capacities.subList(9, 19)).containsOnly(32);
        assertThat(capacities.subList(19, 38)).containsOnly(64);
        assertThat(capacities.get(38)).isEqualTo(128);
        assertThat(index.size()).isEqualTo(40);
    }

    @Test
    void entriesWithOneHashComeInTheOrderTheyWereAddedEvenAcrossTheWrapAndGrowth()
            throws IOException {
        // Home slot 3 of 4: the second entry wraps around to slot 0, the third one grows the table.
        EventIdIndex index = new EventIdIndex(id -> 3L, 4);
        index.add(3L, EventIdIndex.pack(0, 100));
        index.add(3L, EventIdIndex.pack(0, 200));
        index.add(3L, EventIdIndex.pack(0, 300));

        List<Long> order = new ArrayList<>();
        long none = index.find(3L, location -> {
            order.add(EventIdIndex.offsetOf(location));
            return false;
        });

        assertThat(index.capacity()).isEqualTo(8);
        assertThat(none).isEqualTo(EventIdIndex.NONE);
        assertThat(order).containsExactly(100L, 200L, 300L);
    }

    @Test
    void packedLocationsRoundTripLargeOffsetsAndManyChains() {
        long[] offsets = {0, 1, 4095, 1L << 31, (1L << 32) + 5, 3L << 40, EventIdIndex.MAX_OFFSET};
        Set<Long> packed = new HashSet<>();

        for (int chain = 0; chain <= EventIdIndex.MAX_CHAIN; chain += chain < 5000 ? 1 : 997) {
            for (long offset : offsets) {
                long location = EventIdIndex.pack(chain, offset);
                assertThat(EventIdIndex.chainOf(location)).isEqualTo(chain);
                assertThat(EventIdIndex.offsetOf(location)).isEqualTo(offset);
                assertThat(location).isNotEqualTo(EventIdIndex.NONE);
                packed.add(location);
            }
        }
        long last = EventIdIndex.pack(EventIdIndex.MAX_CHAIN, EventIdIndex.MAX_OFFSET);

        assertThat(EventIdIndex.chainOf(last)).isEqualTo(EventIdIndex.MAX_CHAIN);
        assertThat(EventIdIndex.offsetOf(last)).isEqualTo(EventIdIndex.MAX_OFFSET);
        assertThat(EventIdIndex.MAX_OFFSET).isEqualTo((1L << 44) - 1);
        assertThat(EventIdIndex.MAX_CHAIN).isGreaterThanOrEqualTo(1_000_000);
        assertThat(packed).as("distinct (chain, offset) pairs pack distinctly").hasSize(
                (5000 + (EventIdIndex.MAX_CHAIN - 5000) / 997 + 1) * offsets.length);
        assertThatThrownBy(() -> EventIdIndex.pack(0, EventIdIndex.MAX_OFFSET + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIdIndex.pack(EventIdIndex.MAX_CHAIN + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIdIndex.pack(-1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventIdIndex.pack(0, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHashSpreadsUuidsAndOtherIdsWithoutCollisions() {
        Set<Long> hashes = new HashSet<>();
        Set<Integer> homes = new HashSet<>();
        // distinct ids only: a random UUID without a letter (about one run in thirty meets one
        // among 100,000) is its own upper-case form, and was once counted twice (499,999 hashes
        // for "500,000" ids)
        Set<String> ids = new HashSet<>();

        for (int i = 0; i < 100_000; i++) {
            String random = UUID.randomUUID().toString();
            for (String id : List.of(random, random.toUpperCase(), uuid(i), "ev-" + i,
                    "undecodable:gateway.requests-3@" + i)) {
                if (!ids.add(id)) {
                    continue;
                }
                long hash = EventIdIndex.hash64(id);
                hashes.add(hash);
                homes.add((int) (hash ^ (hash >>> 32)) & ((1 << 20) - 1));
            }
        }
        int n = ids.size();

        assertThat(n).as("distinct ids").isGreaterThan(499_000);
        assertThat(hashes).as("one hash per distinct id").hasSize(n);
        // n keys thrown evenly into m homes take m (1 - e^(-n/m)) of them (here about 397,600).
        double m = 1 << 20;
        double even = m * (1 - Math.exp(-n / m));
        assertThat((double) homes.size()).isBetween(0.99 * even, 1.01 * even);
        assertThat(EventIdIndex.hash64(new String("0f8fad5b-d9cb-469f-a165-70867728950e")))
                .isEqualTo(EventIdIndex.hash64("0f8fad5b-d9cb-469f-a165-70867728950e"));
    }
}
