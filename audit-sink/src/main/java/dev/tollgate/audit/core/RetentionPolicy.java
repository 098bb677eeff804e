package dev.tollgate.audit.core;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long each {@link RecordClass} is kept before its records' content may be erased; a class
 * without a retention is kept forever, which is the default for every class. A record's age counts
 * from the later of when it says it occurred and its Kafka timestamp, so one wrong clock never gets
 * a record erased early.
 */
public final class RetentionPolicy {

    /** The configuration prefix, {@code tollgate.audit.retention.<class>}. */
    public static final String PREFIX = "tollgate.audit.retention.";
    /** The text of a class kept forever. */
    public static final String FOREVER = "forever";

    private static final Pattern SIMPLE = Pattern.compile("([0-9]{1,9})(d|h|m|s)");

    private final Map<RecordClass, Duration> retentions;

    private RetentionPolicy(Map<RecordClass, Duration> retentions) {
        this.retentions = retentions.isEmpty()
                ? new EnumMap<>(RecordClass.class)
                : new EnumMap<>(retentions);
    }

    /** Every class kept forever: nothing is ever erased. */
    public static RetentionPolicy keepForever() {
        return new RetentionPolicy(Map.of());
    }

    /** The given classes kept for the given durations, the others forever. */
    public static RetentionPolicy of(Map<RecordClass, Duration> retentions) {
        retentions.forEach((c, d) -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(PREFIX + c.key() + " must be positive, got "
                        + d);
            }
        });
        return new RetentionPolicy(retentions);
    }

    /**
     * The policy of settings by class key ({@code calls} → {@code 90d}); a missing or blank value
     * is forever.
     *
     * @throws IllegalArgumentException naming the setting and what to write instead
     */
    public static RetentionPolicy parse(Map<String, String> settings) {
        Map<RecordClass, Duration> retentions = new EnumMap<>(RecordClass.class);
        settings.forEach((key, text) -> {
            RecordClass recordClass = RecordClass.ofKey(key).orElseThrow(
                    () -> new IllegalArgumentException("'" + key + "' is not a record class: use"
                            + " one of " + RecordClass.keys()));
            parseRetention(key, text).ifPresent(d -> retentions.put(recordClass, d));
        });
        return of(retentions);
    }

    /**
     * {@code forever} (or blank) is empty; {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s} or an
     * ISO-8601 duration ({@code P90D}, {@code PT12H}) is that duration.
     *
     * @throws IllegalArgumentException naming {@code key} and the accepted forms
     */
    public static Optional<Duration> parseRetention(String key, String text) {
        String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.equals(FOREVER)) {
            return Optional.empty();
        }
        Duration duration;
        Matcher simple = SIMPLE.matcher(value);
        if (simple.matches()) {
            long n = Long.parseLong(simple.group(1));
            duration = switch (simple.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
        } else {
            try {
                duration = Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(PREFIX + key + "=" + text + " is not a"
                        + " retention: write forever, a number of days, hours, minutes or seconds"
                        + " (400d, 12h) or an ISO-8601 duration (P400D)");
            }
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(PREFIX + key + "=" + text + " must be longer than"
                    + " zero (or forever)");
        }
        return Optional.of(duration);
    }

    /** How long {@code recordClass} is kept; empty is forever. */
    public Optional<Duration> retention(RecordClass recordClass) {
        return Optional.ofNullable(retentions.get(recordClass));
    }

    /** Whether every class is kept forever. */
    public boolean keepsEverything() {
        return retentions.isEmpty();
    }

    /** {@code calls=P90D, refusals=forever, ...}: the policy in one line, for logs and reports. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (RecordClass c : RecordClass.values()) {
            out.append(out.isEmpty() ? "" : ", ").append(c.key()).append('=').append(retention(c)
                    .map(RetentionPolicy::format).orElse(FOREVER));
        }
        return out.toString();
    }

    /** Where a record's age counts from: the later of its two times (the Kafka one may be absent). */
    public static Instant ageStart(Instant occurredAt, Instant sourceTimestamp) {
        return sourceTimestamp != null && sourceTimestamp.isAfter(occurredAt)
                ? sourceTimestamp
                : occurredAt;
    }

    public static Instant ageStart(AuditEntry entry) {
        return ageStart(entry.occurredAt(), entry.source().timestamp());
    }

    /**
     * The erasure of a record of {@code eventType} with these times, as of {@code now}, if its
     * class's retention has passed; empty if it is to be kept (forever, or not yet old enough).
     */
    public Optional<Erasure> due(String eventType, Instant occurredAt, Instant sourceTimestamp,
            Instant now) {
        Optional<RecordClass> recordClass = RecordClass.ofEventType(eventType);
        if (recordClass.isEmpty()) {
            return Optional.empty();
        }
        Optional<Duration> retention = retention(recordClass.get());
        if (retention.isEmpty() || ageStart(occurredAt, sourceTimestamp).plus(retention.get())
                .isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(new Erasure(now, recordClass.get(), retention.get()));
    }

    /** As {@link #due(String, Instant, Instant, Instant)}; a tombstone is never due again. */
    public Optional<Erasure> due(AuditRecord record, Instant now) {
        if (record.erased()) {
            return Optional.empty();
        }
        AuditEntry entry = record.entry();
        return due(entry.eventType(), entry.occurredAt(), entry.source().timestamp(), now);
    }

    /** {@code P90D} for whole days, else ISO-8601 as {@link Duration#toString()} ({@code PT12H}). */
    public static String format(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 && duration.toNanosPart() == 0
                ? "P" + duration.toDays() + "D"
                : duration.toString();
    }
}
