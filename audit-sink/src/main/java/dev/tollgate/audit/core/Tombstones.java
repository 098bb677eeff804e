package dev.tollgate.audit.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Erasure that leaves the chain verifiable. A tombstone keeps a record's place and identity: chain,
 * sequence, event ID, event type, source position (topic, partition, offset, Kafka timestamp,
 * cluster), when it occurred, its previous hash and <em>its original hash</em>, plus the
 * {@link Erasure} (when, which class, which retention). Every field that carries data (producer,
 * request, agent, environment, action, resource, repository, decision, reason, policy version,
 * outcome, error class, context) is gone: null, and the context empty.
 *
 * <p>What {@code verify} can and cannot say of a tombstone. Its hash cannot be recomputed (that
 * needs the erased content), but the chain still links: the next record's previous hash must be
 * the hash the tombstone keeps, and the tombstone's own previous hash the hash of the record before
 * it, so a tombstone cannot be inserted, removed, moved or given another hash without breaking a
 * link. What it keeps besides its hashes (type, time, position) is not covered by a hash any more:
 * the stores keep the eraser from changing it (PostgreSQL's trigger), and {@link #problems} checks
 * that it is consistent with a legitimate erasure under the verifier's policy: the type belongs to
 * a class, the class is not kept forever, the record was old enough when erased, the erasure is not
 * dated in the future, and nothing of the content is left.
 */
public final class Tombstones {

    /** The context of a tombstone: nothing. */
    public static final String ERASED_CONTEXT = "";
    /** How far in the verifier's future an erasure may be dated: clocks differ a little. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private Tombstones() {
    }

    /**
     * The tombstone of {@code record}, erased as {@code erasure} says.
     *
     * @throws IllegalArgumentException if the record is a tombstone already, or of a type that is
     *             never erased
     */
    public static AuditRecord erase(AuditRecord record, Erasure erasure) {
        if (record.erased()) {
            throw new IllegalArgumentException(record.describe() + " is erased already");
        }
        AuditEntry e = record.entry();
        if (RecordClass.ofEventType(e.eventType()).isEmpty()) {
            throw new IllegalArgumentException(record.describe() + " is a " + e.eventType()
                    + " record, which is never erased");
        }
        AuditEntry kept = new AuditEntry(e.eventId(), e.eventType(), e.source(), e.occurredAt(),
                null, null, null, null, null, null, null, null, null, null, null, null,
                ERASED_CONTEXT);
        return new AuditRecord(kept, record.sequence(), record.previousHash(), record.hash(),
                erasure);
    }

    /** The data fields a tombstone still carries (none, for a legitimate one). */
    public static List<String> contentLeft(AuditEntry e) {
        List<String> left = new ArrayList<>();
        String[] names = {"producer", "requestId", "agentId", "environment", "action", "resource",
                "repository", "decision", "reason", "policyVersion", "outcome", "errorClass"};
        String[] values = {e.producer(), e.requestId(), e.agentId(), e.environment(), e.action(),
                e.resource(), e.repository(), e.decision(), e.reason(), e.policyVersion(), e
                        .outcome(),
                e.errorClass()};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                left.add(names[i]);
            }
        }
        if (!ERASED_CONTEXT.equals(e.contextJson())) {
            left.add("context");
        }
        return left;
    }

    /**
     * Why {@code tombstone} is not a legitimate erasure under {@code policy}, checked at
     * {@code now}; empty when it is. Its links are the chain verifier's business.
     */
    public static List<String> problems(AuditRecord tombstone, RetentionPolicy policy,
            Instant now) {
        Erasure erasure = tombstone.erasure();
        if (erasure == null) {
            throw new IllegalArgumentException(tombstone.describe() + " is not a tombstone");
        }
        AuditEntry e = tombstone.entry();
        List<String> problems = new ArrayList<>();
        List<String> left = contentLeft(e);
        if (!left.isEmpty()) {
            problems.add("a tombstone carries no content, but this one still has " + String.join(
                    ", ", left));
        }
        checkIdentity(tombstone, problems);
        Optional<RecordClass> recordClass = RecordClass.ofEventType(e.eventType());
        if (recordClass.isEmpty()) {
            problems.add("a " + e.eventType() + " record is never erased (it is in no record"
                    + " class)");
            return problems;
        }
        String key = recordClass.get().key();
        if (!key.equals(erasure.recordClass())) {
            problems.add("it states class " + erasure.recordClass() + ", but a " + e.eventType()
                    + " record is in class " + key);
        }
        if (erasure.at().isAfter(now.plus(CLOCK_SKEW))) {
            problems.add("it is dated " + Timestamps.format(erasure.at()) + ", after this"
                    + " verification (" + Timestamps.format(now) + ")");
        }
        Instant ageStart = RetentionPolicy.ageStart(e);
        Duration age = Duration.between(ageStart, erasure.at());
        Optional<Duration> stated = erasure.retentionDuration();
        if (stated.isEmpty()) {
            problems.add("its stated retention '" + erasure.retention() + "' is not a duration");
        } else if (age.compareTo(stated.get()) < 0) {
            problems.add("it was erased " + describe(age) + " after " + Timestamps.format(
                    ageStart) + ", before the retention it states (" + erasure.retention()
                    + ")");
        }
        Optional<Duration> configured = policy.retention(recordClass.get());
        if (configured.isEmpty()) {
            problems.add("class " + key + " is kept forever (" + RetentionPolicy.PREFIX + key
                    + "), yet this record was erased");
        } else if (age.compareTo(configured.get()) < 0) {
            problems.add("it was erased " + describe(age) + " after " + Timestamps.format(
                    ageStart) + ", but class " + key + " is kept "
                    + RetentionPolicy.format(
                            configured.get()));
        }
        return problems;
    }

    /** An undecodable record's ID is its position; any other record's ID is not. */
    private static void checkIdentity(AuditRecord tombstone, List<String> problems) {
        AuditEntry e = tombstone.entry();
        boolean positional = AuditEntries.isPositional(e.eventId());
        boolean undecodable = AuditEntries.UNDECODABLE_TYPE.equals(e.eventType());
        String position = AuditEntries.UNDECODABLE_PREFIX + e.chainId() + "@" + e.source()
                .offset();
        if (undecodable && !(e.eventId().equals(position) || e.eventId().startsWith(position
                + "~"))) {
            problems.add("an Undecodable record's event ID is its position (" + position
                    + "), not " + e.eventId());
        }
        if (positional && !undecodable) {
            problems.add("event ID " + e.eventId() + " is an undecodable record's, but its type"
                    + " is " + e.eventType());
        }
    }

    /** {@code 12d 3h 4m 5s}, leaving out zero parts (and a negative sign when there is one). */
    static String describe(Duration duration) {
        Duration d = duration.abs();
        StringBuilder out = new StringBuilder(duration.isNegative() ? "-" : "");
        long[] parts = {d.toDays(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart()};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] != 0) {
                out.append(out.length() > (duration.isNegative() ? 1 : 0) ? " " : "").append(
                        parts[i]).append(units[i]);
            }
        }
        return out.length() == (duration.isNegative() ? 1 : 0) ? "0s" : out.toString();
    }
}
