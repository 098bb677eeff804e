package dev.tollgate.schemas;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.apache.avro.SystemLimitException;

/**
 * The largest string, bytes and collection Avro's decoder accepts in this JVM. Avro 1.12.2 allows
 * lengths up to about {@code Integer.MAX_VALUE} by default and allocates the buffer a message
 * declares before reading it, so a 40-byte record declaring a 2 GB string threw
 * {@link OutOfMemoryError} (which no consumer catches) instead of failing to decode. With these
 * limits such a record fails with {@link SystemLimitException}, which the codec reports as an
 * ordinary undecodable message.
 *
 * <p>Avro reads the limits only from the system properties {@value #STRING}, {@value #BYTES} and
 * {@value #COLLECTION_ITEMS}, once, when {@code SystemLimitException} is initialised (its
 * {@code resetLimits()} re-reads them but is package-private; there is no public setter). So
 * {@link #ensure()} sets the properties, makes Avro re-read them, and checks through Avro's own
 * public checks that the limits are in force, failing start-up with the fix if they are not.
 *
 * <p>Strings and bytes may declare up to {@link MessageLimits#MAX_MAX_MESSAGE_BYTES} (64 MiB): no
 * Kafka record a Tollgate producer may send is larger ({@code max.request.size} follows
 * {@code tollgate.kafka.max-message-bytes}, which cannot exceed it), and a value cannot be larger
 * than the record that holds it. Collections may declare up to {@link #MAX_COLLECTION_ITEMS}
 * items: Avro allocates an array or map of the declared size before reading an item (an
 * {@code Object[]} of 64 Mi items is 256 MiB, a map's table twice that, more than a role's heap),
 * and no event holds anywhere near a million items in one array or map (the largest are an
 * installation's repositories). An operator may set a smaller value with the property; a larger
 * or unreadable one is replaced.
 */
public final class AvroLimits {

    public static final String STRING = SystemLimitException.MAX_STRING_LENGTH_PROPERTY;
    public static final String BYTES = SystemLimitException.MAX_BYTES_LENGTH_PROPERTY;
    public static final String COLLECTION_ITEMS = SystemLimitException.MAX_COLLECTION_LENGTH_PROPERTY;
    /** The largest length any decoded string, bytes value or collection may declare. */
    public static final int MAX_LENGTH = MessageLimits.MAX_MAX_MESSAGE_BYTES;
    /** The most items any decoded array or map may declare. */
    public static final int MAX_COLLECTION_ITEMS = 1_000_000;

    private static volatile boolean enforced;

    private AvroLimits() {
    }

    /** Puts the limits in force for this JVM, once; idempotent and thread-safe. */
    public static void ensure() {
        if (enforced) {
            return;
        }
        synchronized (AvroLimits.class) {
            if (enforced) {
                return;
            }
            for (String property : List.of(STRING, BYTES, COLLECTION_ITEMS)) {
                int max = max(property);
                if (configured(System.getProperty(property), max) == 0) {
                    System.setProperty(property, Integer.toString(max));
                }
            }
            if (!inForce()) {
                reread(); // SystemLimitException was initialised before the properties were set
            }
            if (!inForce()) {
                throw new IllegalStateException("Avro's decoder limits are not in force: start"
                        + " the JVM with -D" + STRING + "=" + MAX_LENGTH + " -D" + BYTES + "="
                        + MAX_LENGTH + " -D" + COLLECTION_ITEMS + "=" + MAX_COLLECTION_ITEMS);
            }
            enforced = true;
        }
    }

    private static int max(String property) {
        return property.equals(COLLECTION_ITEMS) ? MAX_COLLECTION_ITEMS : MAX_LENGTH;
    }

    /** A usable operator value (1 to {@code max}), or 0 when absent, unreadable or larger. */
    private static int configured(String value, int max) {
        if (value == null) {
            return 0;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            return parsed > 0 && parsed <= max ? parsed : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether Avro refuses a length just above the limit, for strings, bytes and collections. */
    static boolean inForce() {
        return refuses(() -> SystemLimitException.checkMaxStringLength(MAX_LENGTH + 1L))
                && refuses(() -> SystemLimitException.checkMaxBytesLength(MAX_LENGTH + 1L))
                && refuses(() -> SystemLimitException.checkMaxCollectionLength(
                        MAX_COLLECTION_ITEMS + 1L));
    }

    private static boolean refuses(Runnable check) {
        try {
            check.run();
            return false;
        } catch (SystemLimitException e) {
            return true;
        }
    }

    private static void reread() {
        try {
            Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException
                | RuntimeException e) {
            // inForce() decides; its failure names the fix
        }
    }
}
