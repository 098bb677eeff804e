package dev.tollgate.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12.2 refuses to instantiate generated classes (for example while a builder copies a
 * default empty list of records) unless their package is trusted. This trusts exactly Tollgate's
 * event package, once per JVM. The codec, the catalogue, {@link EventMetas} and every role's
 * start-up call it; code that builds events before touching any of those calls it first.
 *
 * <p>It also puts {@link AvroLimits} in force, so every decoder in the JVM refuses a message that
 * declares a string, bytes value or collection larger than any record can hold.
 */
public final class AvroTrust {

    private static final String EVENTS_PACKAGE = "dev.tollgate.events.";
    private static volatile boolean trusted;

    private AvroTrust() {
    }

    public static void ensure() {
        AvroLimits.ensure();
        if (trusted) {
            return;
        }
        synchronized (AvroTrust.class) {
            if (!trusted) {
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                        ClassSecurityValidator.getGlobal(), type -> type.getName().startsWith(
                                EVENTS_PACKAGE)));
                trusted = true;
            }
        }
    }
}
