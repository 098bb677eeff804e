package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Source resets: a chain's Kafka partition started over (its broker's storage was wiped, the topic
 * was deleted and created again, or the sink now reads another cluster), so the partition's offsets
 * begin again or come from another cluster. The chain does not break and does not start over: the
 * store links a <em>source reset record</em> into it, right before the first record of the new
 * source, stating why (the cluster ID changed, or the offsets went back) with the cluster IDs and
 * offsets before and after. From there on the chain continues with the new source.
 *
 * <p>A reset record is chained and hashed like every other record, so it cannot be added,
 * removed or changed without breaking the chain. It relaxes exactly one rule of
 * {@link ChainVerifier}, for exactly one step: the record after it may have a lower offset than
 * the record before it, or come from another cluster. The verifier checks that what the reset
 * record says matches the records around it, and reports every reset it passes, so none goes
 * unseen.
 *
 * <p>The decision is made here, once, for every store and for replay: a chain needs a reset before
 * {@code entry} when {@code entry} is from another cluster than the chain's last record (both
 * known), or when its offset does not follow that record's offset (lower, or equal unless the last
 * record is itself the reset made for this offset).
 */
public final class SourceResets {

    /** The {@code eventType} of a reset record (no Avro schema has this name). */
    public static final String EVENT_TYPE = "SourceReset";
    /** The {@code action} of a reset record. */
    public static final String ACTION = "source.reset";
    /** The {@code producer} of a reset record: it is the sink's own statement. */
    public static final String PRODUCER = "audit-sink";
    /** Reset records' event IDs: {@code source-reset:<chain>#<sequence>}. */
    public static final String ID_PREFIX = "source-reset:";
    /**
     * Event ID conflicts: an event whose ID another, different record already held is stored as
     * {@code conflict:<its ID>~<digest>}.
     */
    public static final String CONFLICT_PREFIX = "conflict:";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Why the store recorded a reset. */
    public enum Reason {
        /** The record comes from another Kafka cluster than the chain's last record. */
        CLUSTER_CHANGED,
        /** Same (or unknown) cluster, but the offset does not follow the chain's last offset. */
        OFFSETS_WENT_BACK
    }

    /**
     * What a reset record states (its {@code context}).
     *
     * @param reason why
     * @param previousCluster the cluster of the record before the reset (null if unknown)
     * @param cluster the cluster of the record after it (null if unknown)
     * @param previousOffset the source offset of the record before the reset
     * @param offset the source offset of the record after it (also the reset record's own)
     */
    public record Details(Reason reason, String previousCluster, String cluster,
            long previousOffset, long offset) {

        /** {@code CLUSTER_CHANGED: cluster A -> B, offset 56 -> 0} */
        public String describe() {
            return reason + ": cluster " + name(previousCluster) + " -> " + name(cluster)
                    + ", offset " + previousOffset + " -> " + offset;
        }

        private static String name(String cluster) {
            return cluster == null ? "(unknown)" : cluster;
        }
    }

    /**
     * A reset as {@code verify} passed it, for its report.
     *
     * @param sequence the reset record's sequence
     * @param at the reset record's source timestamp (the first record of the new source), if any
     * @param details what it states
     */
    public record Noted(long sequence, Instant at, Details details) {

        /** {@code #57 at 2026-12-03T10:00:00.000Z CLUSTER_CHANGED: cluster A -> B, offset 56 -> 0} */
        public String describe() {
            return "#" + sequence + (at == null ? "" : " at " + Timestamps.format(at)) + " "
                    + details.describe();
        }
    }

    private SourceResets() {
    }

    public static boolean isReset(AuditRecord record) {
        return EVENT_TYPE.equals(record.entry().eventType());
    }

    /**
     * The reset record's entry to link into the chain before {@code entry}, if the chain's last
     * record ({@code tip}) shows that {@code entry} comes from a reset source; empty when
     * {@code entry} simply continues the chain (or starts it).
     */
    public static Optional<AuditEntry> resetBefore(Optional<ChainTip> tip, AuditEntry entry) {
        if (tip.isEmpty()) {
            return Optional.empty();
        }
        ChainTip last = tip.get();
        if (!last.head().chainId().equals(entry.chainId())) {
            throw new IllegalArgumentException("entry of chain " + entry.chainId()
                    + " cannot follow the head of chain " + last.head().chainId());
        }
        SourcePosition source = entry.source();
        Reason reason;
        if (clustersDiffer(last.sourceCluster(), source.cluster())) {
            reason = Reason.CLUSTER_CHANGED;
        } else if (!follows(last.sourceOffset(), last.reset(), source.offset())) {
            reason = Reason.OFFSETS_WENT_BACK;
        } else {
            return Optional.empty();
        }
        Details details = new Details(reason, last.sourceCluster(), source.cluster(), last
                .sourceOffset(), source.offset());
        String why = switch (reason) {
            case CLUSTER_CHANGED -> "the source was reset: this partition is now read from"
                    + " Kafka cluster " + source.cluster() + ", before from cluster " + last
                            .sourceCluster();
            case OFFSETS_WENT_BACK -> "the source was reset: this partition's offsets went back"
                    + " from " + last.sourceOffset() + " to " + source.offset() + " (the topic"
                    + " was created again, or its broker's storage was wiped)";
        };
        // It occurred with the record it precedes: exports in time order keep them together.
        return Optional.of(new AuditEntry(ID_PREFIX + entry.chainId() + "#" + (last.head()
                .sequence() + 1), EVENT_TYPE, source, entry.occurredAt(), PRODUCER, null, null,
                null, ACTION,
                null, null, null, why, null, null, null, context(details)));
    }

    /** Whether two clusters are both known and differ. */
    static boolean clustersDiffer(String a, String b) {
        return a != null && b != null && !a.equals(b);
    }

    /**
     * Whether {@code offset} may follow a record at {@code previous}: it must be higher, or equal
     * when that record is the reset recorded for this very offset.
     */
    static boolean follows(long previous, boolean previousIsReset, long offset) {
        return offset > previous || (previousIsReset && offset == previous);
    }

    /**
     * Whether {@code entry} is {@code stored} read again (a redelivery, a producer retry, a replay
     * over the same offsets) rather than another record that happens to carry the same event ID.
     *
     * <p>An event ID is chosen by the producer, and every role can see other roles' IDs on the
     * topics it reads, so the same ID alone is not the same event: it is the same occurrence only
     * when it comes from the same topic, has the same type and the same content
     * ({@link #occurrenceDigest}: everything but when it was sent and by which replica, which a
     * producer repeating its own event may change). Anything else is a <em>conflict</em>: kept
     * under {@link #distinct} and flagged, never dropped. A tombstone's content is erased: the same
     * topic and type is all there is to compare.
     *
     * <p>An undecodable record's ID is made of its position, and a reset source reuses positions:
     * it is the same record only if its content is the same and it comes from the same (or an
     * unknown) cluster.
     */
    public static boolean sameOccurrence(AuditRecord stored, AuditEntry entry) {
        if (!AuditEntries.isPositional(entry.eventId())) {
            AuditEntry held = stored.entry();
            return held.source().topic().equals(entry.source().topic()) && held.eventType().equals(
                    entry.eventType())
                    && (stored.erased() || occurrenceDigest(held).equals(
                            occurrenceDigest(entry)));
        }
        // An erased record's content is gone: the same position and cluster is all there is.
        return !clustersDiffer(stored.entry().source().cluster(), entry.source().cluster())
                && (stored.erased() || stored.entry().contextJson().equals(entry
                        .contextJson()));
    }

    /**
     * SHA-256 (hex) of what makes an event the event it is: its topic, type, and every field but
     * {@code occurredAt} and the context's {@code producerInstance}.
     */
    public static String occurrenceDigest(AuditEntry e) {
        String context = e.contextJson();
        try {
            JsonNode node = MAPPER.readTree(context);
            if (node instanceof ObjectNode object) {
                object.remove("producerInstance");
                context = JsonText.write(object);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
            // compared as it is
        }
        StringBuilder all = new StringBuilder();
        for (String field : new String[]{e.source().topic(), e.eventType(), e.producer(), e
                .requestId(), e.agentId(), e.environment(), e.action(), e.resource(),
                e
                        .repository(),
                e.decision(), e.reason(), e.policyVersion(), e.outcome(), e.errorClass(),
                context}) {
            all.append(field == null
                    ? "\\N"
                    : field.replace("\\", "\\\\").replace("\n",
                            "\\n"))
                    .append('\n');
        }
        return CanonicalEncoding.sha256Hex(all.toString());
    }

    /** Whether {@code eventId} is one the store gave an event whose own ID another record held. */
    public static boolean isConflict(String eventId) {
        return eventId.startsWith(CONFLICT_PREFIX);
    }

    /**
     * The event ID a conflict record was written under by its producer: {@code X} for
     * {@code conflict:X~digest}.
     */
    public static String conflictedId(String eventId) {
        if (!isConflict(eventId)) {
            return eventId;
        }
        String rest = eventId.substring(CONFLICT_PREFIX.length());
        int tilde = rest.lastIndexOf('~');
        return tilde < 0 ? rest : rest.substring(0, tilde);
    }

    /**
     * {@code entry} under an ID of its own, when its ID is taken by another record
     * ({@link #sameOccurrence} false). An undecodable record: the position plus a digest of its
     * cluster and content. An event: {@code conflict:<its ID>~<digest of its occurrence>}, a
     * prefix no producer's ID is stored under ({@code AuditEntries}), which {@code verify} lists.
     * Either way its own redelivery finds it again.
     */
    public static AuditEntry distinct(AuditEntry entry) {
        if (!AuditEntries.isPositional(entry.eventId())) {
            return entry.withEventId(CONFLICT_PREFIX + entry.eventId() + "~" + occurrenceDigest(
                    entry).substring(0, 16));
        }
        String digest = CanonicalEncoding.sha256Hex(Objects.toString(entry.source().cluster(),
                "") + "\n" + entry.contextJson());
        return entry.withEventId(entry.eventId() + "~" + digest.substring(0, 16));
    }

    /** What a reset record states, or empty if its context is not a reset's. */
    public static Optional<Details> details(AuditRecord record) {
        if (!isReset(record)) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(record.entry().contextJson());
            if (node == null || !node.isObject() || !node.path("previousOffset").isIntegralNumber()
                    || !node.path("offset").isIntegralNumber()) {
                return Optional.empty();
            }
            return Optional.of(new Details(Reason.valueOf(node.path("reason").asText()), text(node,
                    "previousCluster"), text(node, "cluster"),
                    node.path("previousOffset")
                            .asLong(),
                    node.path("offset").asLong()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String context(Details details) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("reason", details.reason().name());
        node.put("previousCluster", details.previousCluster());
        node.put("cluster", details.cluster());
        node.put("previousOffset", details.previousOffset());
        node.put("offset", details.offset());
        return JsonText.write(node);
    }
}
