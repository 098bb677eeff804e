package dev.tollgate.audit.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.ToLongFunction;

/**
 * Where each stored event's line starts, in 16 bytes per slot: an open-addressing hash table of
 * primitive longs, key = a 64-bit hash of the event ID, value = a packed (chain number, byte
 * offset in that chain's file). Linear probing; it doubles when more than 60 % of the slots are
 * taken; entries are never removed (the store is append-only).
 *
 * <p>A matching hash is only a <em>candidate</em>: the caller reads the record at the candidate's
 * location and compares the event ID ({@link #find}). Several events may share a hash; every one
 * of them stays in the table and {@link #find} probes on through all of them. The table itself
 * never decides that two IDs are equal.
 *
 * <p>Not thread-safe: the store calls it under its own lock.
 */
final class EventIdIndex {

    /** Bits of a packed location that hold the byte offset: files up to 16 TiB. */
    static final int OFFSET_BITS = 44;
    static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;
    /** Chain numbers 0 .. MAX_CHAIN; the packed value stores chain + 1 so that 0 means "empty". */
    static final int MAX_CHAIN = (1 << (Long.SIZE - OFFSET_BITS)) - 2;
    /** {@link #find} found nothing; never a packed location. */
    static final long NONE = 0L;

    private static final int MAX_CAPACITY = 1 << 30;
    private static final int PAGE_BITS = 15;
    private static final int PAGE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE - 1;
    private static final double MAX_LOAD = 0.6;

    /** Tells whether the record at a candidate location is the one looked for. */
    interface Candidate {
        boolean matches(long location) throws IOException;
    }

    private final ToLongFunction<String> hashFunction;
    private Slots slots;
    private int size;
    private int growAt;

    EventIdIndex() {
        this(EventIdIndex::hash64, 1024);
    }

    /** For tests: a chosen hash function (to force collisions) and initial capacity. */
    EventIdIndex(ToLongFunction<String> hashFunction, int initialCapacity) {
        if (initialCapacity < 2 || Integer.bitCount(initialCapacity) != 1) {
            throw new IllegalArgumentException("initial capacity must be a power of two >= 2: "
                    + initialCapacity);
        }
        this.hashFunction = hashFunction;
        allocate(initialCapacity);
    }

    /** The hash {@link #find} and {@link #add} expect for {@code eventId}. */
    long hash(String eventId) {
        return hashFunction.applyAsLong(eventId);
    }

    /**
     * The first location with {@code hash} whose record {@code candidate} accepts, or {@link #NONE}.
     * Candidates come in probe order; for one hash that is the order they were added in.
     */
    long find(long hash, Candidate candidate) throws IOException {
        Slots table = slots;
        for (int slot = table.home(hash); table.value(slot) != NONE; slot = table.next(slot)) {
            if (table.key(slot) == hash && candidate.matches(table.value(slot))) {
                return table.value(slot);
            }
        }
        return NONE;
    }

    /** Adds an entry; the caller has made sure the event is not in the table yet. */
    void add(long hash, long location) {
        if (location == NONE) {
            throw new IllegalArgumentException("not a packed location: " + location);
        }
        if (size >= growAt) {
            grow();
        }
        slots.insert(hash, location);
        size++;
    }

    int size() {
        return size;
    }

    int capacity() {
        return slots.capacity;
    }

    private void allocate(int capacity) {
        slots = new Slots(capacity);
        growAt = (int) (capacity * MAX_LOAD);
    }

    private void grow() {
        if (slots.capacity >= MAX_CAPACITY) {
            throw new IllegalStateException("the event ID index is full (" + size + " events);"
                    + " split the audit store or use the PostgreSQL store");
        }
        Slots old = slots;
        allocate(old.capacity << 1);
        // Start after an empty slot so that every run of slots is moved in its probe order: entries
        // that share a hash keep the order they were added in.
        int start = 0;
        while (old.value(start) != NONE) {
            start++;
        }
        for (int i = 1; i <= old.capacity; i++) {
            int slot = (start + i) & old.mask;
            if (old.value(slot) != NONE) {
                slots.insert(old.key(slot), old.value(slot));
            }
        }
    }

    /**
     * The slots: keys and values in pages of {@value #PAGE} longs (256 KiB), not two arrays of the
     * whole capacity. G1 gives an array larger than half a heap region regions of its own, rounded
     * up to whole regions: two 16 MiB arrays would take 40 MiB of 4 MiB regions.
     */
    private static final class Slots {

        final int capacity;
        final int mask;
        private final long[][] keys;
        /** Packed locations; {@link #NONE} marks an empty slot. */
        private final long[][] values;

        Slots(int capacity) {
            this.capacity = capacity;
            this.mask = capacity - 1;
            int pageLength = Math.min(capacity, PAGE);
            int pages = capacity / pageLength;
            keys = new long[pages][pageLength];
            values = new long[pages][pageLength];
        }

        int home(long hash) {
            return (int) (hash ^ (hash >>> 32)) & mask;
        }

        int next(int slot) {
            return (slot + 1) & mask;
        }

        long key(int slot) {
            return keys[slot >>> PAGE_BITS][slot & PAGE_MASK];
        }

        long value(int slot) {
            return values[slot >>> PAGE_BITS][slot & PAGE_MASK];
        }

        void insert(long hash, long location) {
            int slot = home(hash);
            while (value(slot) != NONE) {
                slot = next(slot);
            }
            keys[slot >>> PAGE_BITS][slot & PAGE_MASK] = hash;
            values[slot >>> PAGE_BITS][slot & PAGE_MASK] = location;
        }
    }

    // Packed locations.

    /** {@code chain} (0 .. {@link #MAX_CHAIN}) and {@code offset} (0 .. 16 TiB - 1) in one long. */
    static long pack(int chain, long offset) {
        if (chain < 0 || chain > MAX_CHAIN) {
            throw new IllegalArgumentException("chain number out of range: " + chain);
        }
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("offset out of range: " + offset);
        }
        return ((chain + 1L) << OFFSET_BITS) | offset;
    }

    static int chainOf(long location) {
        return (int) (location >>> OFFSET_BITS) - 1;
    }

    static long offsetOf(long location) {
        return location & MAX_OFFSET;
    }

    // The hash.

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    /**
     * A 64-bit hash of an event ID: a canonical lower-case UUID (what producers write) is mixed
     * from its two longs without allocating; anything else from its UTF-8 bytes, eight at a time,
     * in MurmurHash3's style, with its 64-bit finalizer.
     */
    static long hash64(String eventId) {
        if (isUuid(eventId)) {
            long most = hexLong(eventId, 0, 8) << 32 | hexLong(eventId, 9, 13) << 16 | hexLong(
                    eventId, 14, 18);
            long least = hexLong(eventId, 19, 23) << 48 | hexLong(eventId, 24, 36);
            return fmix64(fmix64(most ^ C1) ^ least ^ C2);
        }
        byte[] bytes = eventId.getBytes(StandardCharsets.UTF_8);
        long h = bytes.length * C2;
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            h = mixIn(h, littleEndian(bytes, i, 8));
        }
        if (i < bytes.length) {
            h = mixIn(h, littleEndian(bytes, i, bytes.length - i));
        }
        return fmix64(h);
    }

    private static long mixIn(long h, long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        k *= C2;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }

    private static long littleEndian(byte[] bytes, int from, int count) {
        long word = 0;
        for (int j = count - 1; j >= 0; j--) {
            word = word << 8 | (bytes[from + j] & 0xffL);
        }
        return word;
    }

    /** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** Exactly the 36 characters {@code UUID.toString()} writes (lower-case hex, four dashes). */
    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23)
                    ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The hex digits {@code from .. to} as a number; only called once {@link #isUuid} held. */
    private static long hexLong(String s, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = value << 4 | Character.digit(s.charAt(i), 16) & 0xfL;
        }
        return value;
    }
}
