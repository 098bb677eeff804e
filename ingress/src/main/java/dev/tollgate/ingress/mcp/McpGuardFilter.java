package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.core.http.BoundedBody;
import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.core.oidc.ProtectedResource;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.ingress.web.ApiError;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.runtime.security.Bearer;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything that happens to an MCP request before the SDK's transport sees it, in order:
 * DNS-rebinding protection on Host and Origin (403), a declared body size over the bound (413,
 * unread, before any credential), the gateway token (401 with WWW-Authenticate), the agent's rate
 * limit (429 with Retry-After), the agent's requests in progress on this replica (429), an
 * unsupported {@code MCP-Protocol-Version} (400), the body read up to the bound (413), JSON-RPC
 * well-formedness (a JSON-RPC error) and unknown tools (a JSON-RPC error naming the tool).
 * Whatever the transport then answers with 4xx/5xx is rewritten without its Java exception.
 * Nothing here touches Kafka, and nothing depends on an earlier request: the transport is
 * stateless (no MCP session), so every replica serves every request alike.
 */
public final class McpGuardFilter extends OncePerRequestFilter {

    /** Request attribute (and MCP transport-context key) holding the caller's identity. */
    public static final String IDENTITY = "tollgate.identity";
    /** Request attribute (and transport-context key) holding the W3C traceparent, if sent. */
    public static final String TRACEPARENT = "tollgate.traceparent";
    /** Transport-context key holding the client's address (after a trusted proxy's forwarding). */
    public static final String CLIENT = "tollgate.client";
    static final String REALM = "tollgate";

    private static final int PARSE_ERROR = -32700;
    private static final int INVALID_REQUEST = -32600;
    private static final int INVALID_PARAMS = -32602;
    private static final int INTERNAL_ERROR = -32603;
    /** Not standard JSON-RPC: the gateway refused the HTTP request. */
    static final int REFUSED = -32001;
    /** Retry-After while the token records are not read (the reader retries within seconds). */
    static final String REVOCATIONS_RETRY_AFTER_SECONDS = "5";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OriginPolicy origins;
    private final TokenService tokens;
    private final RateLimits rateLimits;
    private final ToolCatalogue catalogue;
    private final int maxRequestBytes;
    private final Duration bodyTimeout;
    private final InFlightPerAgent inFlight;
    private final List<String> protocolVersions;
    private final Optional<ProtectedResource> protectedResource;
    private final RefusalCounter refusals;

    /**
     * @param bodyTimeout how long a request's whole body may take to arrive
     * @param maxInFlightPerAgent requests one agent may have in progress on this replica
     * @param protocolVersions the MCP protocol versions served
     * @param protectedResource the OAuth metadata every 401 points at, when configured
     * @param refusals where every refusal is counted for the audit
     */
    public McpGuardFilter(OriginPolicy origins, TokenService tokens, RateLimits rateLimits,
            ToolCatalogue catalogue, int maxRequestBytes, Duration bodyTimeout,
            int maxInFlightPerAgent,
            List<String> protocolVersions, Optional<ProtectedResource> protectedResource,
            RefusalCounter refusals) {
        this.protectedResource = protectedResource;
        this.refusals = refusals;
        this.origins = origins;
        this.tokens = tokens;
        this.rateLimits = rateLimits;
        this.catalogue = catalogue;
        this.maxRequestBytes = maxRequestBytes;
        this.bodyTimeout = bodyTimeout;
        this.inFlight = new InFlightPerAgent(maxInFlightPerAgent);
        this.protocolVersions = List.copyOf(protocolVersions);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
            FilterChain chain) throws ServletException, IOException {
        Door door = new Door(request.getRemoteAddr(), null);
        Optional<String> originRefusal = origins.refusal(request.getHeader("Host"), request
                .getHeader("Origin"));
        if (originRefusal.isPresent()) {
            reject(door, "host_not_allowed", response, 403, REFUSED, null, originRefusal.get());
            return;
        }
        if ("POST".equalsIgnoreCase(request.getMethod())
                && request.getContentLengthLong() > maxRequestBytes) {
            reject(door, "body_too_large", response, 413, INVALID_REQUEST, null, tooLarge());
            return;
        }
        String bearer = Bearer.token(request.getHeader("Authorization"));
        if (bearer == null) {
            response.setHeader("WWW-Authenticate", challenge(null, null));
            reject(door, "credential_missing", response, 401, REFUSED, null,
                    "send your gateway token as "
                            + "Authorization: Bearer <token> (an admin mints it with POST /admin/tokens)"
                            + protectedResource
                                    .map(resource -> ", or a token of a trusted issuer (see "
                                            + resource.metadataUrl() + ")")
                                    .orElse(""));
            return;
        }
        AgentIdentity identity;
        try {
            identity = tokens.authenticate(bearer);
        } catch (TokenRejectedException e) {
            response.setHeader("WWW-Authenticate", challenge("invalid_token", e.getMessage()));
            reject(door, "credential_invalid", response, 401, REFUSED, null, "token refused: "
                    + e.getMessage());
            return;
        } catch (TokenService.RevocationsUnavailableException e) {
            // fail closed: never accept a token on a revocation list that no longer learns
            response.setHeader("Retry-After", REVOCATIONS_RETRY_AFTER_SECONDS);
            reject(door, "revocations_unavailable", response, 503, REFUSED, null, e
                    .getMessage());
            return;
        }
        // every message, before its body is read: only a flood reaches this limit
        Optional<Duration> flood = rateLimits.protocol(identity.principal());
        if (flood.isPresent()) {
            tooFast(door.as(identity.principal()), response, flood.get(), null, "agent "
                    + identity.agentId() + " sends MCP"
                    + " messages faster than tollgate.ingress.rate-limit.protocol-limit-for-period"
                    + " allows");
            return;
        }
        String agent = identity.agentId();
        AgentPrincipal principal = identity.principal();
        if (!inFlight.tryAcquire(principal)) {
            response.setHeader("Retry-After", "1");
            reject(door.as(principal), "too_many_in_flight", response, 429, REFUSED, null,
                    "agent " + agent + " already has "
                            + inFlight.limit() + " requests in progress on this gateway replica "
                            + "(tollgate.ingress.max-requests-in-flight-per-agent); wait for one to end "
                            + "(a call still running after the reply timeout is answered as pending)");
            return;
        }
        try {
            forward(request, response, chain, identity, door.as(principal));
        } finally {
            inFlight.release(principal);
        }
    }

    private void forward(HttpServletRequest request, HttpServletResponse response,
            FilterChain chain, AgentIdentity identity, Door door)
            throws IOException, ServletException {
        HttpServletRequest forwarded = request;
        String method = "";
        String toolName = "";
        int bodyBytes = 0;
        JsonNode id = null;
        if ("POST".equalsIgnoreCase(request.getMethod())) {
            byte[] body;
            try {
                body = BoundedBody.readAtMost(request.getInputStream(), maxRequestBytes, request
                        .getContentLengthLong(), System.nanoTime() + bodyTimeout.toNanos(),
                        System::nanoTime);
            } catch (BoundedBody.TooSlowException e) {
                reject(door, "body_timeout", response, 408, INVALID_REQUEST, null, "the request"
                        + " body did not arrive within " + bodyTimeout.toMillis() + " ms"
                        + " (tollgate.ingress.body-timeout); " + e.bytesRead() + " bytes of it"
                        + " had");
                return;
            }
            if (body == null) {
                reject(door, "body_too_large", response, 413, INVALID_REQUEST, null,
                        tooLarge());
                return;
            }
            JsonNode message = checkJsonRpc(door, body, response);
            if (message == null) {
                return;
            }
            method = message.path("method").asString("");
            toolName = message.path("params").path("name").asString("");
            bodyBytes = body.length;
            id = message.get("id");
            forwarded = new CachedBodyRequest(request, body);
        }
        // refusals from here on answer the request's own id (MCP forbids a null one)
        String version = request.getHeader("MCP-Protocol-Version");
        if (version != null && !protocolVersions.contains(version)) {
            reject(door, "unsupported_protocol_version", response, 400, INVALID_REQUEST, id,
                    "unsupported MCP-Protocol-Version '"
                            + printable(version) + "'; this gateway speaks " + String.join(", ",
                                    protocolVersions));
            return;
        }
        // a tool call costs a decision, perhaps a GitHub call: the agent's own, tighter limit
        if ("tools/call".equals(method)) {
            Optional<Duration> wait = rateLimits.agent(identity.principal());
            if (wait.isPresent()) {
                tooFast(door, response, wait.get(), id, "rate limit of agent " + identity.agentId()
                        + " reached");
                return;
            }
            // what a write carries is scanned for credentials here: bound each agent's bytes
            if (catalogue.byName(toolName).map(tool -> tool.kind() == Tool.Kind.WRITE).orElse(
                    false)) {
                Optional<Duration> bytes = rateLimits.writeBytes(identity.principal(),
                        bodyBytes);
                if (bytes.isPresent()) {
                    tooFast(door, response, bytes.get(), id, "agent " + identity.agentId()
                            + " sends more write content than"
                            + " tollgate.ingress.rate-limit.write-kib-limit-for-period allows");
                    return;
                }
            }
        }
        forwarded.setAttribute(IDENTITY, identity);
        String traceparent = request.getHeader("traceparent");
        if (traceparent != null && Traceparent.isValid(traceparent)) {
            forwarded.setAttribute(TRACEPARENT, traceparent);
        }
        SanitizingResponse guarded = new SanitizingResponse(response);
        chain.doFilter(forwarded, guarded);
        if (guarded.failed()) {
            rewriteTransportError(guarded, response);
        }
    }

    private String challenge(String code, String description) {
        return protectedResource.map(resource -> resource.challenge(REALM, code, description))
                .orElseGet(() -> ApiError.wwwAuthenticate(REALM, code, description));
    }

    /** Requests of {@code agent} in progress here now. */
    int inFlight(AgentPrincipal agent) {
        return inFlight.inFlight(agent);
    }

    private static String printable(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private String tooLarge() {
        return "request body is larger than " + maxRequestBytes
                + " bytes (tollgate.ingress.max-request-bytes)";
    }

    /**
     * Checks the JSON-RPC envelope and the tool name; answers itself when they are wrong (null).
     * Else the message.
     */
    private JsonNode checkJsonRpc(Door door, byte[] body, HttpServletResponse response)
            throws IOException {
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (JacksonException e) {
            reject(door, "invalid_jsonrpc", response, 400, PARSE_ERROR, null,
                    "Parse error: the body is not valid JSON");
            return null;
        }
        if (message == null || message.isMissingNode()) {
            reject(door, "invalid_jsonrpc", response, 400, PARSE_ERROR, null,
                    "Parse error: the body is empty");
            return null;
        }
        if (message.isArray()) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, null,
                    "Invalid Request: JSON-RPC batches are "
                            + "not supported; send one message per request");
            return null;
        }
        if (!message.isObject()) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, null,
                    "Invalid Request: a JSON-RPC message must be an object");
            return null;
        }
        JsonNode id = message.get("id");
        if (id != null && !id.isString() && !id.isIntegralNumber()) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, null,
                    "Invalid Request: 'id' must be a string or an integer (MCP forbids null)");
            return null;
        }
        if (!message.has("jsonrpc") || !"2.0".equals(message.get("jsonrpc").asString(""))) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, id,
                    "Invalid Request: 'jsonrpc' must be \"2.0\"");
            return null;
        }
        JsonNode method = message.get("method");
        if (method == null) {
            if (message.has("result") || message.has("error")) {
                return message; // a response to a server request
            }
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, id,
                    "Invalid Request: a request needs a 'method'");
            return null;
        }
        if (!method.isString()) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_REQUEST, id,
                    "Invalid Request: 'method' must be a string");
            return null;
        }
        JsonNode params = message.get("params");
        if (params != null && !params.isObject() && !params.isNull()) {
            reject(door, "invalid_jsonrpc", response, 400, INVALID_PARAMS, id,
                    "Invalid params: 'params' must be an object");
            return null;
        }
        if ("tools/call".equals(method.asString()) && id != null) {
            JsonNode name = params == null ? null : params.get("name");
            if (name == null || !name.isString()) {
                reject(door, "invalid_jsonrpc", response, 200, INVALID_PARAMS, id,
                        "Invalid params: tools/call needs a string 'name'");
                return null;
            }
            if (catalogue.byName(name.asString()).isEmpty()) {
                reject(door, "unknown_tool", response, 200, INVALID_PARAMS, id,
                        "Unknown tool '" + name.asString()
                                + "'; the tools are " + catalogue.names());
                return null;
            }
            JsonNode arguments = params.get("arguments");
            if (arguments != null && !arguments.isObject() && !arguments.isNull()) {
                reject(door, "invalid_jsonrpc", response, 200, INVALID_PARAMS, id,
                        "Invalid params: 'arguments' of "
                                + name.asString() + " must be an object");
                return null;
            }
        }
        return message;
    }

    private void rewriteTransportError(SanitizingResponse guarded, HttpServletResponse response)
            throws IOException {
        int status = guarded.errorStatus();
        String text = guarded.capturedText();
        Integer code = null;
        String message = null;
        if (text != null && text.trim().startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(text);
                JsonNode error = node.has("jsonRpcError")
                        ? node.get("jsonRpcError")
                        : node.get(
                                "error");
                if (error != null && error.isObject()) {
                    code = error.path("code").isIntegralNumber()
                            ? error.path("code").asInt()
                            : null;
                    message = error.path("message").asString(null);
                }
                if (message == null) {
                    message = node.path("message").asString(null);
                }
            } catch (JacksonException e) {
                message = null;
            }
        } else {
            message = text;
        }
        if (!isSafe(message)) {
            message = switch (status) {
                case 404 -> "not found";
                case 405 -> "method not allowed: this gateway keeps no MCP session to DELETE; "
                        + "POST each message, or GET with Accept: text/event-stream for the "
                        + "stream that carries notifications/tools/list_changed";
                case 413 -> tooLarge();
                case 503 -> "the gateway is shutting down; retry in a moment";
                default -> status >= 500 ? "internal error" : "invalid request";
            };
        }
        if (code == null) {
            code = status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        }
        if (!response.isCommitted()) {
            response.resetBuffer();
        }
        if (status == 405) {
            response.setHeader("Allow", "GET, POST");
        }
        refuse(response, status, code, null, message);
    }

    /** No exception names, stack frames or SDK internals reach an agent. */
    static boolean isSafe(String message) {
        return message != null && !message.isBlank() && message.length() <= 300
                && !message.contains("Exception") && !message.contains("\tat ")
                && !message.contains("io.modelcontextprotocol") && !message.contains("java.")
                && !message.contains("tools.jackson") && !message.contains("\n");
    }

    /** 429 with {@code Retry-After}: "{@code why}; retry after N s". */
    private void tooFast(Door door, HttpServletResponse response, Duration wait, JsonNode id,
            String why) throws IOException {
        long seconds = RateLimits.retryAfterSeconds(wait);
        response.setHeader("Retry-After", Long.toString(seconds));
        reject(door, "rate_limited", response, 429, REFUSED, id, why + "; retry after " + seconds
                + " s");
    }

    /**
     * Who knocked: the client's address and, once its credential held, the agent in its
     * environment.
     */
    private record Door(String client, AgentPrincipal agent) {

        Door as(AgentPrincipal principal) {
            return new Door(client, principal);
        }
    }

    /** Counts the refusal for the audit ({@code gateway.refusals}), then answers it. */
    private void reject(Door door, String reason, HttpServletResponse response, int status,
            int code, JsonNode id, String message) throws IOException {
        refusals.refused(RefusalCounter.MCP, reason, door.client(), door.agent() == null
                ? null
                : door.agent().agentId(),
                door.agent() == null
                        ? null
                        : door.agent().environment(),
                message);
        refuse(response, status, code, id, message);
    }

    private void refuse(HttpServletResponse response, int status, int code, JsonNode id,
            String message) throws IOException {
        writeError(response, status, code, id, message);
    }

    /** Answers {@code status} with a JSON-RPC error: {@code code}, {@code message}, {@code id}. */
    static void writeError(HttpServletResponse response, int status, int code, JsonNode id,
            String message) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jsonrpc", "2.0");
        body.put("id", id == null || id.isNull()
                ? null
                : id.isString()
                        ? id.asString()
                        : id.numberValue());
        body.put("error", error);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] bytes = JSON.writeValueAsBytes(body);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        response.flushBuffer();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
