package dev.tollgate.decision.kafka;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.Precondition;
import dev.tollgate.decision.policy.RuleTrace;
import dev.tollgate.decision.policy.TokenNarrowing;
import dev.tollgate.decision.policy.load.PolicyListener;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RuleEvaluation;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.GrantEvents;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TargetEvents;
import dev.tollgate.tools.ErrorCode;
import dev.tollgate.tools.InvalidArgumentException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Translates between the wire events and the policy core: a ToolCallRequested becomes a
 * {@link DecisionRequest}; a decision becomes a PolicyDecided or a ToolCallCompleted(DENIED); a
 * load becomes a PolicyChanged. No Kafka here, only the event classes.
 */
public final class EventTranslator {

    /** errorCode of a request a policy denied (no grant, explicit deny, token narrowing). */
    public static final String POLICY_DENIED = ErrorCode.POLICY_DENIED.code();
    /** errorCode of a hard-blocked request. */
    public static final String HARD_BLOCKED = ErrorCode.HARD_BLOCKED.code();
    /** errorCode of a write refused for carrying what looks like a credential. */
    public static final String SECRET_IN_CONTENT = ErrorCode.SECRET_IN_CONTENT.code();
    /** errorCode of a request the policy allowed on a repository no active installation covers. */
    public static final String NOT_INSTALLED = ErrorCode.NOT_INSTALLED.code();
    /** errorCode of a request that cannot be decided (names no repository, unreadable). */
    public static final String INVALID_REQUEST = ErrorCode.INVALID_REQUEST.code();
    /** errorCode of a request the policy allowed while no GitHub App is configured (try-it). */
    public static final String GITHUB_NOT_CONFIGURED = ErrorCode.GITHUB_NOT_CONFIGURED.code();

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Clock clock;

    public EventTranslator(Clock clock) {
        this.clock = clock;
    }

    /**
     * The request the policy decides on: the call parsed again by the tool's one definition, from
     * its arguments, exactly as the ingress parsed it. A request whose carried target differs from
     * that parse (a forged or corrupted request) is refused rather than decided on either.
     *
     * @throws IllegalArgumentException when the arguments, the target or the narrowing are
     *         unreadable or disagree; the message is the agent's answer
     */
    public DecisionRequest toDecisionRequest(ToolCallRequested event) {
        Map<String, Object> arguments;
        try {
            JsonNode parsed = JSON.readTree(event.getArgumentsJson());
            if (parsed == null || !parsed.isObject()) {
                throw new IllegalArgumentException("the call's arguments are not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> values = JSON.convertValue(parsed, Map.class);
            arguments = values;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the call's arguments are not valid JSON", e);
        }
        DecisionRequest request;
        try {
            request = DecisionRequest.forCall(event.getAgentId(), event.getEnvironment(), event
                    .getTool(), arguments);
        } catch (InvalidArgumentException e) {
            throw new IllegalArgumentException("the call's arguments are refused by "
                    + event.getTool() + "'s definition: " + e.getMessage(), e);
        }
        if (event.getTarget() != null && !TargetEvents.fromEvent(event.getTarget()).equals(request
                .target())) {
            throw new IllegalArgumentException("the request's target does not match its"
                    + " arguments: refusing to decide on either");
        }
        return request.narrowedTo(narrowing(event.getGrantNarrowing()));
    }

    /** The token narrowing's JSON form: {@code {"tools": [...], "repositories": [...]}}. */
    public static TokenNarrowing narrowing(String json) {
        if (json == null || json.isBlank()) {
            return TokenNarrowing.NONE;
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.isObject()) {
                throw new IllegalArgumentException(
                        "the gateway token's narrowing is not an object");
            }
            return TokenNarrowing.of(strings(node.get("tools")), strings(node.get(
                    "repositories")));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the gateway token's narrowing is not valid JSON",
                    e);
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null) {
            return values;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("the gateway token's narrowing lists are not lists");
        }
        for (JsonNode item : node) {
            if (!item.isString()) {
                throw new IllegalArgumentException("the gateway token's narrowing lists hold"
                        + " non-strings");
            }
            values.add(item.stringValue());
        }
        return values;
    }

    public PolicyDecided decided(ToolCallRequested event, Allowed allowed) {
        return PolicyDecided.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, requestId(event), clock))
                .setRequest(event)
                .setAllowed(true)
                .setMonitorOnly(allowed.monitorOnly())
                .setReason(allowed.reason())
                .setPolicyVersion(allowed.policyVersion())
                .setRules(rules(allowed.rules()))
                .setPermissions(new LinkedHashMap<>(allowed.permissions()))
                .setRepositories(new ArrayList<>(allowed.repositories()))
                .setPreconditions(allowed.preconditions().stream().map(Precondition::code)
                        .toList())
                .setRoutingKey(allowed.routingKey())
                .setInstallationId(null)
                .build();
    }

    public ToolCallCompleted denied(ToolCallRequested event, Denied denied) {
        String code = switch (denied.kind()) {
            case HARD_BLOCK -> HARD_BLOCKED;
            case SECRET_IN_CONTENT -> SECRET_IN_CONTENT;
            case INVALID_REQUEST -> INVALID_REQUEST;
            case NO_GRANT, EXPLICIT_DENY, TOKEN_NARROWING -> POLICY_DENIED;
        };
        return completed(event, code, "denied: " + denied.reason(), denied.policyVersion(),
                rules(denied.rules()));
    }

    /**
     * The answer to a request the policy allowed but the installation registry refuses (the App is
     * not installed there, suspended, or uninstalled): the registry's reason, and the policy's
     * rules followed by the registry's refusal.
     */
    public ToolCallCompleted notInstalled(ToolCallRequested event, Allowed allowed,
            String reason) {
        List<RuleTrace> trace = new ArrayList<>(allowed.rules());
        trace.add(new RuleTrace("installation registry", RuleTrace.Effect.DENY, true, reason));
        return completed(event, NOT_INSTALLED, "denied: " + reason, allowed.policyVersion(),
                rules(trace));
    }

    /**
     * The answer to a request the policy allowed while the gateway runs without a GitHub App (the
     * standalone run's try-it mode): failed, not retryable, the policy's rules and why nothing
     * was performed. Nothing was sent towards GitHub.
     */
    public ToolCallCompleted notPerformed(ToolCallRequested event, Allowed allowed,
            String reason) {
        List<RuleTrace> trace = new ArrayList<>(allowed.rules());
        trace.add(new RuleTrace("GitHub App", RuleTrace.Effect.DENY, true, reason));
        return completed(event, CallStatus.FAILED, GITHUB_NOT_CONFIGURED, "allowed by policy "
                + allowed.policyVersion() + " but not performed: " + reason,
                allowed
                        .policyVersion(),
                rules(trace));
    }

    /** The answer to a request that could be read but not decided. */
    public ToolCallCompleted undecidable(ToolCallRequested event, String reason,
            String policyVersion) {
        return completed(event, INVALID_REQUEST, "denied: " + reason, policyVersion, List.of());
    }

    private ToolCallCompleted completed(ToolCallRequested event, String code, String message,
            String policyVersion, List<RuleEvaluation> rules) {
        return completed(event, CallStatus.DENIED, code, message, policyVersion, rules);
    }

    private ToolCallCompleted completed(ToolCallRequested event, CallStatus status, String code,
            String message, String policyVersion, List<RuleEvaluation> rules) {
        return ToolCallCompleted.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, requestId(event), clock))
                .setAgentId(event.getAgentId())
                .setEnvironment(event.getEnvironment())
                .setTool(event.getTool())
                .setStatus(status)
                .setErrorCode(code)
                .setRetryable(false)
                .setMessage(message)
                .setPolicyVersion(policyVersion)
                .setAttempts(0)
                .setResource(event.getResource())
                .setRules(rules)
                .build();
    }

    public DeadLetter deadLetter(String requestId, String topic, int partition, long offset,
            String reason, byte[] payload) {
        return DeadLetter.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, requestId, clock))
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setReason(reason)
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                .build();
    }

    public PolicyChanged loaded(PolicyListener.Loaded event) {
        return PolicyChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, null, clock))
                .setAction(PolicyAction.LOADED)
                .setSource(event.source())
                .setPolicyVersion(event.version())
                .setPreviousVersion(event.previousVersion())
                .setRuleCount(event.ruleCount())
                .setError(null)
                .setGrants(GrantEvents.toEventWithin(event.grants()))
                .build();
    }

    public PolicyChanged failed(PolicyListener.Failed event) {
        return PolicyChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, null, clock))
                .setAction(PolicyAction.LOAD_FAILED)
                .setSource(event.source())
                .setPolicyVersion(event.versionInForce())
                .setPreviousVersion(event.versionInForce())
                .setRuleCount(0)
                .setError(event.error())
                .setGrants(event.grantsInForce() == null
                        ? null
                        : GrantEvents.toEventWithin(event.grantsInForce()))
                .build();
    }

    /** Rule traces longer than this are shortened on the wire (explain shows them whole). */
    public static final int MAX_PUBLISHED_RULES = 300;

    /**
     * The trace as published: whole, unless it is longer than {@link #MAX_PUBLISHED_RULES}; then
     * the rules that did not apply to the request (skipped) are left out first, and a last entry
     * says how many were left out.
     */
    static List<RuleEvaluation> rules(List<RuleTrace> trace) {
        List<RuleTrace> kept = trace;
        if (trace.size() > MAX_PUBLISHED_RULES) {
            kept = trace.stream().filter(rule -> rule.matched() || rule
                    .effect() != RuleTrace.Effect.SKIP).limit(MAX_PUBLISHED_RULES - 1).toList();
            int left = trace.size() - kept.size();
            kept = new ArrayList<>(kept);
            kept.add(new RuleTrace("trace shortened", RuleTrace.Effect.SKIP, false, left
                    + " rules that did not decide this request are left out; explain lists"
                    + " them all"));
        }
        return kept.stream().map(rule -> RuleEvaluation.newBuilder()
                .setRule(rule.rule())
                .setEffect(rule.effect().key())
                .setMatched(rule.matched())
                .setDetail(rule.detail())
                .build()).toList();
    }

    private static String requestId(ToolCallRequested event) {
        return event.getMeta() == null ? null : event.getMeta().getRequestId();
    }
}
