package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.core.grants.PolicyGrants;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.replies.Reply;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GrantNarrowing;
import dev.tollgate.ingress.kafka.CallDispatcher.Answered;
import dev.tollgate.ingress.kafka.CallDispatcher.NotAccepted;
import dev.tollgate.ingress.kafka.CallDispatcher.Outcome;
import dev.tollgate.ingress.kafka.CallDispatcher.StillPending;
import dev.tollgate.ingress.kafka.CallDispatcher;
import dev.tollgate.tools.ErrorCode;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ToolDefinition;
import dev.tollgate.tools.ToolGrant;
import dev.tollgate.tools.ValidatedCall;
import dev.tollgate.tools.WithheldContent;
import dev.tollgate.tools.secrets.WrittenContent;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The handler behind every tool: validates and normalizes the arguments (a refused call never
 * leaves the ingress), answers {@code status} and {@code get_request_status} locally (the latter
 * from what this replica read of every replica's requests and answers), and sends everything else
 * through Kafka, rendering the final answer, a pending notice or a refusal. Nothing depends on an
 * MCP session: each request carries its gateway token, so any replica serves it.
 */
public final class ToolCalls implements Drain.Calls {

    private final ToolCatalogue catalogue;
    private final RefusalCounter refusals;
    private final CallDispatcher dispatcher;
    private final ReplyBook replies;
    private final PolicyGrants grants;
    private final Supplier<Map<String, Object>> health;
    private final BooleanSupplier catchUp;
    private final JsonMapper json = JsonMapper.builder().build();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /**
     * @param catchUp waits (briefly) until this replica has read every request and answer written
     *        so far; asked when a request ID is not known here yet
     */
    public ToolCalls(ToolCatalogue catalogue, CallDispatcher dispatcher, ReplyBook replies,
            PolicyGrants grants, RefusalCounter refusals, Supplier<Map<String, Object>> health,
            BooleanSupplier catchUp) {
        this.refusals = refusals;
        this.catalogue = catalogue;
        this.grants = grants;
        this.dispatcher = dispatcher;
        this.replies = replies;
        this.health = health;
        this.catchUp = catchUp;
    }

    public Mono<CallToolResult> handle(McpTransportContext context, CallToolRequest request) {
        Object caller = context.get(McpGuardFilter.IDENTITY);
        if (!(caller instanceof AgentIdentity identity)) {
            return Mono.just(error(Map.of("status", ErrorCode.UNAUTHENTICATED.code(), "message",
                    "no gateway token on this request")));
        }
        Object parent = context.get(McpGuardFilter.TRACEPARENT);
        Object client = context.get(McpGuardFilter.CLIENT);
        return call(identity, request.name(), request.arguments(), parent instanceof String p
                ? p
                : null, client instanceof String c ? c : null);
    }

    /**
     * Whether {@code tools/list} shows the tool named {@code toolName} to the caller of
     * {@code context}: a tool its policy's grants and its token's narrowing can allow, or one the
     * ingress answers; while no policy is known, every tool its narrowing leaves. A caller without
     * an identity sees nothing (the guard filter lets none through).
     */
    boolean lists(McpTransportContext context, String toolName) {
        if (!(context.get(McpGuardFilter.IDENTITY) instanceof AgentIdentity identity)) {
            return false;
        }
        Set<Tool> visible = context.get(LISTING) instanceof Listing listing
                ? listing.of(() -> visibleTools(identity))
                : visibleTools(identity);
        return Tool.byToolName(toolName).map(visible::contains).orElse(false);
    }

    /** The transport context's key of its request's {@link Listing}. */
    static final String LISTING = "tollgate.listing";

    /**
     * The tools one {@code tools/list} shows, worked out once: the SDK asks {@link #lists} tool by
     * tool, and a newer policy read between two of those questions made one answer half the old
     * policy's tools and half the new one's.
     */
    static final class Listing {

        private Set<Tool> tools;

        synchronized Set<Tool> of(Supplier<Set<Tool>> visible) {
            if (tools == null) {
                tools = visible.get();
            }
            return tools;
        }
    }

    /** The tools {@code identity} is listed now. */
    Set<Tool> visibleTools(AgentIdentity identity) {
        Set<String> narrowed = narrowedTools(identity);
        return grants.visibleTools(identity.agentId(), identity.environment(), narrowed,
                narrowedRepositories(identity))
                .orElseGet(() -> ToolGrant.leftByNarrowing(narrowed));
    }

    private static List<String> narrowedRepositories(AgentIdentity identity) {
        return identity.narrowing().map(GrantNarrowing::repositories).orElse(List.of());
    }

    private static Set<String> narrowedTools(AgentIdentity identity) {
        return identity.narrowing().map(narrowing -> Set.copyOf(narrowing.tools())).orElse(Set
                .of());
    }

    Mono<CallToolResult> call(AgentIdentity identity, String toolName,
            Map<String, Object> arguments, String traceparent, String client) {
        ToolDefinition tool = catalogue.byName(toolName).orElse(null);
        if (tool == null) {
            return Mono.just(error(Map.of("status", ErrorCode.UNKNOWN_TOOL.code(), "message",
                    "Unknown tool '"
                            + toolName + "'; the tools are " + catalogue.names())));
        }
        ValidatedCall call;
        WithheldContent.Split split;
        try {
            call = tool.validate(arguments);
            split = WithheldContent.split(call); // what it writes is kept only as its proof
        } catch (InvalidArgumentException e) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ErrorCode.INVALID_ARGUMENTS.code());
            body.put("field", e.field());
            body.put("message", "Invalid arguments for " + toolName + ": " + e.getMessage());
            refusals.refused(RefusalCounter.MCP, ErrorCode.INVALID_ARGUMENTS.code(), client,
                    identity.agentId(), identity.environment(), (String) body.get("message"));
            return Mono.just(error(body));
        }
        // a credential in what a write would send never reaches Kafka (kept there for the audit)
        Optional<String> credential = WrittenContent.refusal(toolName, WrittenContent.credentials(
                call));
        if (credential.isPresent()) {
            refusals.refused(RefusalCounter.MCP, ErrorCode.SECRET_IN_CONTENT.code(), client,
                    identity.agentId(), identity.environment(), credential.get());
            return Mono.just(error(Map.of("status", ErrorCode.SECRET_IN_CONTENT.code(),
                    "message", credential.get())));
        }
        return switch (tool.tool()) {
            case STATUS -> Mono.just(status(identity));
            case GET_REQUEST_STATUS -> Mono.fromCallable(() -> requestStatus(identity,
                    (String) call.arguments().get("request_id")));
            default -> dispatch(identity, call, split, traceparent, client);
        };
    }

    private Mono<CallToolResult> dispatch(AgentIdentity identity, ValidatedCall call,
            WithheldContent.Split split, String traceparent, String client) {
        inFlight.incrementAndGet();
        return Mono.fromFuture(() -> dispatcher.dispatch(identity, call, split, Traceparent
                .childOf(traceparent), client)).map(this::render)
                .doFinally(signal -> inFlight.decrementAndGet());
    }

    private CallToolResult render(Outcome outcome) {
        return switch (outcome) {
            case Answered answered -> render(answered.reply());
            case StillPending pending -> pending(pending.requestId(), pending.waited());
            case NotAccepted refused -> error(Map.of("request_id", refused.requestId(),
                    "status", ErrorCode.NOT_ACCEPTED.code(), "retryable", true, "message",
                    refused.reason()));
        };
    }

    private CallToolResult render(Reply reply) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", reply.requestId());
        body.put("status", reply.status().toLowerCase(Locale.ROOT));
        body.put("message", reply.message());
        if (reply.succeeded()) {
            if (reply.resultJson() != null) {
                body.put("result", parseOrText(reply.resultJson()));
            }
            return result(body, false);
        }
        body.put("error_code", reply.errorCode());
        body.put("retryable", reply.retryable());
        if (reply.retryAt() != null) {
            body.put("retry_at", reply.retryAt().toString());
        }
        if (reply.policyVersion() != null) {
            body.put("policy_version", reply.policyVersion());
        }
        if (reply.errorDetailsJson() != null) {
            body.put("details", parseOrText(reply.errorDetailsJson()));
        }
        return result(body, true);
    }

    private CallToolResult pending(String requestId, Duration waited) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("request_id", requestId);
        body.put("status", "pending");
        body.put("message", "no final answer within " + waited.toSeconds() + " s; the call is "
                + "still being processed. Call get_request_status with this request_id to get "
                + "its answer.");
        return result(body, false);
    }

    private CallToolResult requestStatus(AgentIdentity identity, String requestId) {
        ReplyBook.Lookup known = replies.lookup(requestId, identity.principal());
        if (known instanceof ReplyBook.Unknown) {
            // written through another replica a moment ago? Read up to now and look again. The
            // same wait for another agent's request as for none: the answer tells nothing.
            catchUp.getAsBoolean();
            known = replies.lookup(requestId, identity.principal());
        }
        return switch (known) {
            case ReplyBook.Completed completed -> render(completed.reply());
            case ReplyBook.Pending pending -> pending(requestId, Duration.ZERO);
            case ReplyBook.Unknown unknown -> error(Map.of("request_id", requestId, "status",
                    "unknown", "message", "no request with this ID is known for you: it belongs "
                            + "to another agent, is older than the gateway keeps answers "
                            + "(tollgate.ingress.completed-retention), or was dropped because you "
                            + "have more requests kept than your bound "
                            + "(tollgate.ingress.completed-max-entries-per-agent)"));
        };
    }

    private CallToolResult status(AgentIdentity identity) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent", identity.agentId());
        body.put("environment", identity.environment());
        body.put("token_id", identity.tokenId());
        body.put("token_expires_at", identity.expiresAt().toString());
        body.put("grant_narrowing", identity.narrowing().map(GrantNarrowing::toClaim).orElse(
                null));
        Optional<PolicyGrants.InForce> policy = grants.inForce();
        if (policy.isPresent()) {
            Set<String> narrowed = narrowedTools(identity);
            body.put("policy_version", policy.get().version());
            List<ToolGrant> covering = grants.grantsOf(identity.agentId(), identity
                    .environment(), narrowedRepositories(identity)).orElse(List.of());
            body.put("forges", PolicyGrants.forges(covering, narrowed));
            body.put("grants", covering.stream().map(grant -> PolicyGrants.view(grant, narrowed))
                    .toList());
        } else {
            body.put("grants", "not known yet to this gateway replica: the decision workers "
                    + "have not published their policy; every call is still decided by it");
        }
        Set<Tool> visible = visibleTools(identity);
        body.put("tools", catalogue.names().stream().filter(name -> Tool.byToolName(name).map(
                visible::contains).orElse(false)).toList());
        body.put("tools_note", "a listed tool may still be denied for a repository, path, "
                + "branch or argument: each call is decided by the policy, and a denial says "
                + "why");
        Map<String, Object> gateway = new LinkedHashMap<>(health.get());
        gateway.put("calls_in_flight", inFlight.get());
        gateway.put("draining", draining);
        body.put("gateway", gateway);
        return result(body, false);
    }

    private Object parseOrText(String text) {
        try {
            return json.readValue(text, Object.class);
        } catch (JacksonException e) {
            return text;
        }
    }

    private CallToolResult error(Map<String, Object> body) {
        return result(body, true);
    }

    private CallToolResult result(Map<String, Object> body, boolean isError) {
        return CallToolResult.builder().addTextContent(json.writeValueAsString(body))
                .structuredContent(body).isError(isError).build();
    }

    /**
     * Shutdown has begun: calls still arriving on open connections are served (each connection is
     * then closed), new connections are refused.
     */
    @Override
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }
}
