package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.runtime.proofs.ContentProofs;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds the {@link AuditEntry} of any catalogued event: the summary columns (agent, action,
 * decision, outcome, ...) from the event's own fields, and the context from everything else,
 * redacted. Deterministic: the same event at the same position always gives the same entry, which
 * is what makes a replay reproduce the live store's chain heads.
 */
public final class AuditEntries {

    /** Undecodable records' event IDs: {@code undecodable:<chain>@<offset>}, made of the position. */
    public static final String UNDECODABLE_PREFIX = "undecodable:";
    /** The {@code eventType} of a record that is not a readable event. */
    public static final String UNDECODABLE_TYPE = "Undecodable";
    /**
     * The {@code eventType} of a readable event the sink refused because it does not belong on the
     * topic it was read from (another type than the topic carries, or a producer that is not one
     * of the topic's writers). Never erased (it is in no {@link RecordClass}).
     */
    public static final String MISPLACED_TYPE = "Misplaced";
    /** What an event's own ID is prefixed with when it starts like an ID the sink makes itself. */
    static final String EVENT_PREFIX = "event:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Redactor redactor;

    public AuditEntries(Redactor redactor) {
        this.redactor = redactor;
    }

    public AuditEntries() {
        this(new Redactor());
    }

    /** The audit entry of {@code event}, read at {@code source}. */
    public AuditEntry from(SpecificRecord event, SourcePosition source) {
        EventMeta meta = metaOf(event);
        Summary s = summarize(event);
        return new AuditEntry(eventId(clean(meta.getEventId())), event.getSchema().getName(),
                source,
                meta.getOccurredAt(), text(meta.getProducer()), text(meta.getRequestId()), text(
                        s.agentId),
                text(s.environment), text(s.action), text(s.resource), text(
                        s.repository),
                text(s.decision), text(s.reason), text(
                        s.policyVersion),
                text(s.outcome), text(s.errorClass),
                context(event, meta));
    }

    /**
     * The entry of a record that is not a readable event (undecodable bytes, or no value at all):
     * kept too, so the chain has no hole, with only its size and digest. Its event ID is derived
     * from its position, so redelivery and replay stay idempotent.
     */
    public AuditEntry undecodable(SourcePosition source, byte[] value, String problem) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        context.set("payload", value == null
                ? JsonNodeFactory.instance.nullNode()
                : bytes(ByteBuffer.wrap(value)));
        context.put("problem", redactor.redactText(problem));
        Instant at = source.timestamp() != null ? source.timestamp() : Instant.EPOCH;
        return new AuditEntry(UNDECODABLE_PREFIX + source.chainId() + "@" + source.offset(),
                UNDECODABLE_TYPE, source, at, null, null, null, null, "undecodable", null, null,
                null, text(problem), null, null, null, clean(JsonText.write(context)));
    }

    /**
     * The entry of a readable {@code event} that does not belong on its topic ({@code problem}
     * says why): kept, so the chain has no hole and the attempt is on record, but not as the event
     * it claims to be. Like an undecodable record: its ID is its position (so it cannot take the
     * ID of the event it imitates), its bytes only as size and SHA-256, no summary column filled
     * from it; the context names the type, event ID and producer it claims.
     */
    public AuditEntry misplaced(SourcePosition source, byte[] value, SpecificRecord event,
            String problem) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        context.set("payload", bytes(ByteBuffer.wrap(value)));
        context.put("problem", redactor.redactText(problem));
        ObjectNode claimed = context.putObject("claimed");
        claimed.put("eventType", event.getSchema().getName());
        EventMeta meta = metaOf(event);
        claimed.put("eventId", meta == null
                ? null
                : redactor.redactText(clean(meta
                        .getEventId())));
        claimed.put("producer", meta == null
                ? null
                : redactor.redactText(clean(meta
                        .getProducer())));
        Instant at = source.timestamp() != null ? source.timestamp() : Instant.EPOCH;
        return new AuditEntry(UNDECODABLE_PREFIX + source.chainId() + "@" + source.offset(),
                MISPLACED_TYPE, source, at, null, null, null, null, "misplaced", null, null,
                null, text(problem), null, null, null, clean(JsonText.write(context)));
    }

    /** Whether {@code eventId} is made of a record's position (an undecodable record's). */
    public static boolean isPositional(String eventId) {
        return eventId.startsWith(UNDECODABLE_PREFIX);
    }

    /**
     * An event's ID as stored. IDs the sink makes itself (undecodable records, source resets,
     * conflicts) have
     * their own prefixes; an event whose ID starts like one (no producer of ours writes such IDs)
     * is stored as {@code event:<its ID>}, so it can never take the place of one. IDs starting
     * with {@code event:} are prefixed too, which keeps the mapping one-to-one.
     */
    static String eventId(String id) {
        boolean reserved = id.startsWith(UNDECODABLE_PREFIX) || id.startsWith(
                SourceResets.ID_PREFIX) || id.startsWith(SourceResets.CONFLICT_PREFIX)
                || id
                        .startsWith(EVENT_PREFIX);
        return reserved ? EVENT_PREFIX + id : id;
    }

    /** The columns worth querying by; everything else goes in the context. */
    private record Summary(String agentId, String environment, String action, String resource,
            String repository, String decision, String reason, String policyVersion,
            String outcome, String errorClass) {
    }

    private static Summary summarize(SpecificRecord event) {
        return switch (event) {
            case ToolCallRequested r -> new Summary(r.getAgentId(), r.getEnvironment(), r
                    .getTool(), resource(r.getResource()), repository(r.getResource()), null, null,
                    null, null, null);
            case PolicyDecided d -> new Summary(d.getRequest().getAgentId(), d.getRequest()
                    .getEnvironment(), d.getRequest().getTool(),
                    resource(d.getRequest()
                            .getResource()),
                    repository(d.getRequest().getResource()), !d
                            .getAllowed()
                                    ? "DENIED"
                                    : d.getMonitorOnly()
                                            ? "ALLOWED_MONITOR_ONLY"
                                            : "ALLOWED",
                    d.getReason(), d
                            .getPolicyVersion(),
                    null, null);
            case ToolCallCompleted c -> new Summary(c.getAgentId(), c.getEnvironment(), c
                    .getTool(), null, null, null, c.getMessage(), c.getPolicyVersion(),
                    c
                            .getStatus() == null ? null : c.getStatus().name(),
                    c.getErrorCode());
            case TokenMinted t -> new Summary(t.getAgentId(), t.getEnvironment(), "token.minted",
                    "github:installation/" + t.getInstallationId(), single(t.getRepositories()),
                    null, null, null, null, null);
            case AgentTokenChanged a -> new Summary(a.getAgentId(), a.getEnvironment(),
                    "agent_token." + lower(a.getAction()), null, null, null, a.getReason(), null,
                    null, null);
            case PolicyChanged p -> new Summary(null, null, "policy." + lower(p.getAction()),
                    p.getSource(), null, null, p.getError(), p.getPolicyVersion(), null, null);
            case InstallationChanged i -> new Summary(null, i.getEnvironment(), "installation."
                    + lower(i.getStatus()), "github:" + i.getAccount(),
                    single(i
                            .getRepositories()),
                    null, i.getTrigger(), null, null, null);
            case DeadLetter d -> new Summary(null, null, "dead_letter", d.getSourceTopic() + "-"
                    + d.getSourcePartition() + "@" + d.getSourceOffset(), null, null,
                    d
                            .getReason(),
                    null, null, null);
            case AccessRefused r -> new Summary(r.getAgentId(), r.getEnvironment(),
                    "refused." + r.getReason(),
                    r.getEndpoint() + ":" + r.getClientAddress(), null, "REFUSED", r.getDetail(),
                    null, null, null);
            default -> new Summary(null, null, event.getSchema().getName(), null, null, null,
                    null, null, null, null);
        };
    }

    private static EventMeta metaOf(SpecificRecord event) {
        Schema.Field field = event.getSchema().getField("meta");
        if (field == null || !(event.get(field.pos()) instanceof EventMeta meta)) {
            throw new IllegalArgumentException(event.getSchema().getFullName()
                    + " carries no EventMeta; only catalogued events can be audited");
        }
        return meta;
    }

    private static String resource(Resource resource) {
        if (resource == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        out.append(resource.getHost()).append(':').append(resource.getOwner());
        if (resource.getRepo() != null) {
            out.append('/').append(resource.getRepo());
        }
        if (resource.getNumber() != null) {
            out.append('#').append(resource.getNumber());
        }
        if (resource.getPath() != null) {
            out.append(':').append(resource.getPath());
        }
        if (resource.getRef() != null) {
            out.append('@').append(resource.getRef());
        }
        return out.toString();
    }

    private static String repository(Resource resource) {
        return resource == null || resource.getRepo() == null
                ? null
                : resource.getOwner() + "/" + resource.getRepo();
    }

    private static String single(List<String> repositories) {
        return repositories != null && repositories.size() == 1 ? repositories.get(0) : null;
    }

    private static String lower(Enum<?> value) {
        return value == null ? "unknown" : value.name().toLowerCase(Locale.ROOT);
    }

    /** Redacted, and without characters PostgreSQL text cannot hold. */
    private String text(String value) {
        return value == null ? null : clean(redactor.redactText(value));
    }

    private static String clean(String value) {
        return value == null ? null : value.replace('\u0000', '\uFFFD');
    }

    /** The event without its meta (whose fields are columns), as redacted JSON text. */
    private String context(SpecificRecord event, EventMeta meta) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        context.put("producerInstance", meta.getProducerInstance());
        for (Schema.Field field : event.getSchema().getFields()) {
            if (!field.name().equals("meta")) {
                put(context, field.name(), event.get(field.pos()));
            }
        }
        return clean(JsonText.write(context));
    }

    private void put(ObjectNode target, String name, Object value) {
        if (value instanceof String json && name.endsWith("Json")) {
            // argumentsJson, resultJson: agent- or GitHub-supplied JSON: contents and large
            // strings kept as proof (digest and size), the rest redacted at any depth.
            target.set(name.substring(0, name.length() - "Json".length()), proofOf(json));
        } else if (value instanceof String json && name.equals("grantNarrowing")) {
            target.set(name, redactor.redactJsonText(json));
        } else {
            target.set(name, toJson(name, value));
        }
    }

    /**
     * {@code json} as the store keeps it: contents digested by the one rule
     * ({@link ContentProofs}), then redacted; text that is not JSON is digested when large, else
     * redacted.
     */
    private JsonNode proofOf(String json) {
        Optional<String> digested = ContentProofs.digestJson(json);
        if (digested.isEmpty()) {
            return ContentProofs.digestIfLarge(json).map(proof -> parse(proof.toString()))
                    .orElseGet(() -> JsonNodeFactory.instance.textNode(redactor.redactText(
                            json)));
        }
        return redactor.redactJson(parse(digested.get()));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("JSON written by ContentProofs did not parse", e);
        }
    }

    private JsonNode toJson(String name, Object value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (value) {
            case null -> f.nullNode();
            case CharSequence text -> f.textNode(redactor.redactText(text.toString()));
            case Boolean b -> f.booleanNode(b);
            case Integer i -> f.numberNode(i);
            case Long l -> f.numberNode(l);
            case Float x -> f.numberNode(x);
            case Double x -> f.numberNode(x);
            case Instant instant -> f.textNode(Timestamps.format(instant));
            case Enum<?> symbol -> f.textNode(symbol.name());
            case GenericEnumSymbol<?> symbol -> f.textNode(symbol.toString());
            case ByteBuffer bytes -> bytes(bytes);
            case IndexedRecord record -> {
                ObjectNode node = f.objectNode();
                for (Schema.Field field : record.getSchema().getFields()) {
                    put(node, field.name(), record.get(field.pos()));
                }
                yield node;
            }
            case Map<?, ?> map -> {
                // Avro maps have no order; sort by key so the encoding is stable.
                ObjectNode node = f.objectNode();
                new TreeMap<>(map).forEach((k, v) -> node.set(k.toString(), toJson(k.toString(),
                        v)));
                // permissions: GitHub's names ("secrets": "read") and levels, which the audit
                // must show; still scanned for secrets' shapes
                yield name.equals("permissions")
                        ? redactor.redactJsonVocabulary(node)
                        : redactor.redactJson(node);
            }
            case Collection<?> items -> {
                ArrayNode node = f.arrayNode();
                items.forEach(item -> node.add(toJson(name, item)));
                yield node;
            }
            default -> f.textNode(redactor.redactText(value.toString()));
        };
    }

    /** Raw bytes (a dead letter's payload) are never stored: only their size and SHA-256. */
    private static JsonNode bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("length", bytes.length);
        try {
            node.put("sha256", java.util.HexFormat.of().formatHex(java.security.MessageDigest
                    .getInstance("SHA-256").digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        return node;
    }
}
