package dev.tollgate.audit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * What the audit store keeps about one event, before it is linked into its chain. Every text field
 * has already been through the {@link Redactor}.
 *
 * @param eventId the event's unique ID ({@code meta.eventId}); the store is idempotent on it
 * @param eventType the Avro record name, e.g. {@code ToolCallRequested}
 * @param source topic, partition, offset and Kafka timestamp it was read from
 * @param occurredAt when the producer says it happened ({@code meta.occurredAt})
 * @param producer the producing role
 * @param requestId the agent request it belongs to, if any
 * @param agentId the agent, if any
 * @param environment the environment, if any
 * @param action the tool called, or what happened ({@code policy.loaded},
 *            {@code agent_token.issued}, ...)
 * @param resource the target, e.g. {@code github:octo/repo#12}, if any
 * @param repository {@code owner/repo}, if the event names exactly one
 * @param decision {@code ALLOWED}, {@code ALLOWED_MONITOR_ONLY} or {@code DENIED} for decisions
 * @param reason the decision's reason, the result message, or a failure text
 * @param policyVersion the hash of the policy that decided, if any
 * @param outcome the final status of a call ({@code SUCCEEDED}, {@code DENIED}, {@code FAILED})
 * @param errorClass the classified error code, if the call failed
 * @param contextJson the rest of the event as JSON (redacted), in schema field order
 */
public record AuditEntry(String eventId, String eventType, SourcePosition source,
        Instant occurredAt, String producer, String requestId, String agentId, String environment,
        String action, String resource, String repository, String decision, String reason,
        String policyVersion, String outcome, String errorClass, String contextJson) {

    public AuditEntry {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(contextJson, "contextJson");
        occurredAt = Timestamps.toMillis(occurredAt);
    }

    public String chainId() {
        return source.chainId();
    }

    /** This entry under another event ID. */
    public AuditEntry withEventId(String id) {
        return new AuditEntry(id, eventType, source, occurredAt, producer, requestId, agentId,
                environment, action, resource, repository, decision, reason, policyVersion,
                outcome, errorClass, contextJson);
    }
}
