package dev.tollgate.audit.core;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The record classes a retention policy is set for, by event type. A record whose type is in no
 * class (a {@link SourceResets source reset}, which holds no data and which {@code verify} needs to
 * judge the records around it, or a type this build does not know) is never erased.
 */
public enum RecordClass {

    /** What agents asked, what policy decided, what came back. */
    CALLS("calls", "ToolCallRequested", "PolicyDecided", "ToolCallCompleted"),
    /** Requests refused before they became calls (bad credentials, floods). */
    REFUSALS("refusals", "AccessRefused"),
    /** Installation tokens minted and agents' gateway tokens issued or revoked. */
    TOKENS("tokens", "TokenMinted", "AgentTokenChanged"),
    /** Policy loads and installation changes. */
    ADMIN("admin", "PolicyChanged", "InstallationChanged"),
    /** Events a worker could not handle, and records the sink could not decode. */
    DEAD_LETTERS("dead-letters", "DeadLetter", "Undecodable");

    private final String key;
    private final Set<String> eventTypes;

    RecordClass(String key, String... eventTypes) {
        this.key = key;
        this.eventTypes = Set.of(eventTypes);
    }

    /** The name in configuration ({@code tollgate.audit.retention.<key>}) and in tombstones. */
    public String key() {
        return key;
    }

    public Set<String> eventTypes() {
        return eventTypes;
    }

    /** The class of records of {@code eventType}; empty for types that are never erased. */
    public static Optional<RecordClass> ofEventType(String eventType) {
        return Arrays.stream(values()).filter(c -> c.eventTypes.contains(eventType)).findFirst();
    }

    public static Optional<RecordClass> ofKey(String key) {
        return Arrays.stream(values()).filter(c -> c.key.equals(key)).findFirst();
    }

    /** {@code calls, refusals, tokens, admin, dead-letters}: for messages. */
    public static String keys() {
        return String.join(", ", Arrays.stream(values()).map(RecordClass::key).toList());
    }
}
