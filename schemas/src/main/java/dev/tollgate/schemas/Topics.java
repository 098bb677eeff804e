package dev.tollgate.schemas;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RequestContent;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The topic catalogue: every topic Tollgate uses, in flow order. Audited topics keep their data
 * forever; the installation registry is compacted (and kept forever: compaction keeps the latest
 * state of every installation), and so is the gateway token families' state, which is not
 * audited (its history is, on {@link #TOKEN_HISTORY}) and compacted within hours. The two
 * topics that forget carry content and are not audited: {@link #CONTENTS}, what agents write, on
 * its way to GitHub, and {@link #REPLIES}, what agents read, on its way back to them.
 */
public final class Topics {

    static {
        AvroTrust.ensure();
    }

    public static final Topic<ToolCallRequested> REQUESTS = new Topic<>("gateway.requests",
            ToolCallRequested.class, "request ID", false, true, Set.of(Roles.INGRESS),
            "tool calls agents asked for, validated and normalized");

    /** How long what agents write waits for its executor: a day, well past any reply timeout. */
    public static final Duration CONTENTS_RETENTION = Duration.ofDays(1);

    /**
     * What agents write (bodies, summaries, file contents), withheld from the requests and
     * decisions kept forever, which carry each value's proof instead ({@code WithheldContent}).
     * Written by the ingress before the request; read by the executor at the offset the request
     * names. Kept a day ({@link #CONTENTS_RETENTION}), never audited.
     */
    public static final Topic<RequestContent> CONTENTS = new Topic<>("gateway.contents",
            RequestContent.class, "request ID", false, false, CONTENTS_RETENTION, Set.of(
                    Roles.INGRESS),
            "what agents write (bodies, file contents), withheld from the requests kept forever;"
                    + " kept a day");

    public static final Topic<PolicyDecided> DECISIONS = new Topic<>("gateway.decisions",
            PolicyDecided.class, "installation ID or owner", false, true,
            Set.of(Roles.DECISION_WORKER), "allowed calls with the permissions they need");

    /**
     * Every final answer as the audit keeps it: file contents, patches, logs and large bodies as
     * their SHA-256 and size ({@code ContentProofs}), never a copy. Kept forever, so a replay
     * reproduces the audit store.
     */
    public static final Topic<ToolCallCompleted> RESULTS = new Topic<>("gateway.results",
            ToolCallCompleted.class, "request ID", false, true,
            Set.of(Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER),
            "final answers as the audit keeps them (contents as SHA-256 digests)");

    /** How long the agents' copies of answers are kept: a day, well past any wait for one. */
    public static final Duration REPLIES_RETENTION = Duration.ofDays(1);

    /**
     * Every final answer as its agent gets it, file contents included, on the reply partition of
     * the ingress replica that waits. Kept a day ({@link #REPLIES_RETENTION}), never audited: the
     * audit keeps its twin on {@link #RESULTS}.
     */
    public static final Topic<ToolCallCompleted> REPLIES = new Topic<>("gateway.replies",
            ToolCallCompleted.class, "request ID", false, false, REPLIES_RETENTION,
            Set.of(Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER),
            "final answers as agents get them (contents included), on the waiting replica's "
                    + "reply partition; kept a day");

    public static final Topic<TokenMinted> TOKEN_MINTS = new Topic<>("gateway.audit",
            TokenMinted.class, "installation ID", false, true, Set.of(Roles.EXECUTOR_WORKER),
            "installation tokens minted (scope and expiry, never the token)");

    /**
     * Every gateway token family issued, rotated and revoked, as it happened: kept forever and
     * audited, never replayed at start-up. Its state twin is {@link #AGENT_TOKENS}.
     */
    public static final Topic<AgentTokenChanged> TOKEN_HISTORY = new Topic<>(
            "gateway.token-history", AgentTokenChanged.class,
            "family:<family ID>, revoked:<family ID> or agent:<agent ID>", false, true,
            Set.of(Roles.INGRESS), "gateway token families issued, rotated and revoked (every"
                    + " change, kept forever)");

    /**
     * The state of gateway token families, which every ingress replica replays at start-up:
     * compacted within hours ({@code TopicProvisioner.STATE_COMPACTION_LAG}), so the replay holds
     * about one record per token family, per revoked family and per revoked agent, however often
     * tokens rotate. Not audited: every change is kept on {@link #TOKEN_HISTORY}, written first.
     */
    public static final Topic<AgentTokenChanged> AGENT_TOKENS = new Topic<>(
            "gateway.agent-tokens", AgentTokenChanged.class,
            "family:<family ID>, revoked:<family ID> or agent:<agent ID>", true, false,
            Set.of(Roles.INGRESS), "gateway token families' latest state (compacted; what a"
                    + " replica replays at start-up)");

    public static final Topic<PolicyChanged> POLICY = new Topic<>("gateway.policy",
            PolicyChanged.class, "policy source", false, true, Set.of(Roles.DECISION_WORKER),
            "policy loads and failed loads");

    public static final Topic<InstallationChanged> INSTALLATIONS = new Topic<>(
            "gateway.installations", InstallationChanged.class, "installation ID", true, true,
            Set.of(Roles.INGRESS, Roles.EXECUTOR_WORKER),
            "GitHub App installation registry (latest state per installation)");

    public static final Topic<DeadLetter> DEAD_LETTERS = new Topic<>("gateway.dead-letters",
            DeadLetter.class, "source topic-partition", false, true,
            Set.of(Roles.DECISION_WORKER, Roles.EXECUTOR_WORKER, Roles.AUDIT_SINK, Roles.INGRESS),
            "records a worker could not process, with the reason");

    /**
     * Requests refused at the door, counted per client, reason and interval: a flood of forged
     * tokens is a few records, and no refusal goes unrecorded.
     */
    public static final Topic<AccessRefused> REFUSALS = new Topic<>("gateway.refusals",
            AccessRefused.class, "client address", false, true, Set.of(Roles.INGRESS),
            "requests refused at the door (credentials, Host, size, rate, protocol), counted per"
                    + " client and reason");

    private static final List<Topic<?>> ALL = List.of(CONTENTS, REQUESTS, DECISIONS, RESULTS,
            REPLIES,
            TOKEN_MINTS, TOKEN_HISTORY,
            AGENT_TOKENS, POLICY, INSTALLATIONS, DEAD_LETTERS, REFUSALS);

    private Topics() {
    }

    public static List<Topic<?>> all() {
        return ALL;
    }

    /** The topics the audit sink keeps: every one kept forever ({@link Topic#audited}). */
    public static List<Topic<?>> audited() {
        return ALL.stream().filter(Topic::audited).toList();
    }

    public static Optional<Topic<?>> byName(String name) {
        return ALL.stream().filter(topic -> topic.name().equals(name)).findFirst();
    }
}
