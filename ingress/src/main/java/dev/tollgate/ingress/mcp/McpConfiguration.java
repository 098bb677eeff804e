package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.config.IngressProperties;
import dev.tollgate.ingress.core.grants.PolicyGrants;
import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.core.oidc.ProtectedResource;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.kafka.CallDispatcher;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.kafka.KafkaListeners;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.runtime.ReadinessCheck;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ToolDefinition;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessAsyncServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP endpoint: the SDK's stateless Streamable HTTP transport as a servlet on {@code /mcp},
 * behind {@link McpGuardFilter}, serving one tool per catalogue entry. Stateless: no
 * {@code Mcp-Session-Id} is issued, every POST carries its gateway token and is answered with one
 * JSON response, DELETE (ending a session) is 405; so any replica serves any request and a plain
 * round-robin proxy works. Nothing the tools do needs a session: they send no server-to-client
 * requests. The one notification, {@code tools/list_changed}, goes on a stream the agent opens
 * with GET ({@link ToolListStreams}), which belongs to its token, not to a session.
 *
 * <p>The runtime module provides /healthz and /readyz.
 */
@Configuration(proxyBeanMethods = false)
public class McpConfiguration {

    public static final String ENDPOINT = "/mcp";
    /** How long get_request_status waits for this replica to read up to now, for an ID unknown. */
    static final Duration CATCH_UP = Duration.ofSeconds(5);

    @Bean
    ReplyBook replyBook(Clock clock, IngressProperties properties) {
        return new ReplyBook(clock, properties.getCompletedRetention(), new ReplyBook.Limits(
                properties.getCompletedMaxEntries(), properties.getCompletedMaxEntriesPerAgent(),
                properties.getCompletedMaxSize().toBytes()));
    }

    @Bean
    PolicyGrants policyGrants() {
        return new PolicyGrants();
    }

    @Bean
    KafkaListeners kafkaListeners(KafkaProperties kafka, ReplyBook replies, TokenService tokens,
            PolicyGrants grants, Clock clock, IngressProperties properties) {
        return new KafkaListeners(new HashMap<>(kafka.buildConsumerProperties()), replies, tokens,
                grants, clock, properties.getReplyPartition(), EventMetas.Instances.id(), properties
                        .getCompletedRetention(),
                properties.getRequestsReaderWait(), properties.getKafkaContactBound());
    }

    @Bean
    CallDispatcher callDispatcher(EventPublisher publisher, ReplyBook replies, Clock clock,
            IngressProperties properties, KafkaListeners listeners) {
        return new CallDispatcher(publisher, replies, clock, properties.getReplyTimeout(),
                listeners::replyPartition);
    }

    @Bean
    ToolCalls toolCalls(ToolCatalogue catalogue, CallDispatcher dispatcher, ReplyBook replies,
            KafkaListeners listeners, PolicyGrants grants, RefusalCounter refusals) {
        return new ToolCalls(catalogue, dispatcher, replies, grants, refusals, () -> {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("health", listeners.healthy() ? "ok" : "degraded");
            health.put("kafka_readers_running", listeners.healthy());
            health.put("reply_partition", listeners.isRunning()
                    ? listeners.replyPartition()
                    : null);
            health.put("answers_kept", replies.completedCount());
            health.put("requests_kept", replies.size());
            return health;
        }, () -> listeners.awaitCaughtUp(CATCH_UP));
    }

    /**
     * Not ready while a Kafka reader is not running: a replica that cannot read its answers, the
     * token records or the policy's grants must not take agents' traffic (under wrong ACLs, say).
     */
    @Bean
    ReadinessCheck kafkaReadersRunning(KafkaListeners listeners) {
        return () -> listeners.healthy()
                ? ReadinessCheck.Result.ready("kafka-readers", "reading requests, answers, token"
                        + " records and the policy")
                : ReadinessCheck.Result.notReady("kafka-readers", "a Kafka reader is not running"
                        + " (starting, or stopped: see the log)");
    }

    @Bean
    TomcatListener tomcatListener() {
        return new TomcatListener();
    }

    @Bean
    Drain drain(ToolCalls calls, IngressProperties properties, TomcatListener listener,
            HttpServletStatelessServerTransport transport, ToolListStreams streams) {
        return new Drain(alsoEndingStreams(calls, streams), listener, properties.getReplyTimeout()
                .plusSeconds(5), properties.getDrainGrace(),
                () -> transport.closeGracefully().block(Duration.ofSeconds(5)));
    }

    /**
     * The calls a drain waits for, and the event streams ended as it begins: their clients
     * reconnect, through the proxy, to another replica (an open stream would otherwise hold its
     * connection for the whole grace).
     */
    static Drain.Calls alsoEndingStreams(Drain.Calls calls, ToolListStreams streams) {
        return new Drain.Calls() {

            @Override
            public void startDraining() {
                calls.startDraining();
                streams.closeAll();
            }

            @Override
            public int inFlight() {
                return calls.inFlight();
            }
        };
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService streamKeepAlive() {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(
                "tool-list-streams").factory());
    }

    @Bean(destroyMethod = "close")
    ExecutorService streamWrites() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tool-list-stream-",
                0).factory());
    }

    /**
     * The streams that carry tools/list_changed: rechecked whenever a newer policy is read, a
     * comment on each every keep-alive.
     */
    @Bean
    ToolListStreams toolListStreams(ToolCalls calls, TokenService tokens, PolicyGrants grants,
            Clock clock, IngressProperties properties, ScheduledExecutorService streamKeepAlive,
            ExecutorService streamWrites) {
        IngressProperties.Streams limits = properties.getStreams();
        ToolListStreams.Limits bounds = new ToolListStreams.Limits(limits.getPerAgent(), limits
                .getMax(), limits.getKeepAlive(), limits.getMaxLife(), limits.getRetry());
        ToolListStreams streams = new ToolListStreams(calls::visibleTools, tokens::stillValid,
                clock, bounds, streamWrites);
        grants.onChange(streams::policyChanged);
        long every = limits.getKeepAlive().toMillis();
        streamKeepAlive.scheduleWithFixedDelay(() -> {
            try {
                streams.tick();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ToolListStreams.class).warn(
                        "keeping tool-list streams alive failed: {}", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return streams;
    }

    @Bean
    FilterRegistrationBean<ServerStreamFilter> serverStreams(ToolListStreams streams,
            RefusalCounter refusals) {
        FilterRegistrationBean<ServerStreamFilter> registration = new FilterRegistrationBean<>(
                new ServerStreamFilter(streams, refusals));
        registration.addUrlPatterns(ENDPOINT);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20); // after the guard
        registration.setAsyncSupported(true);
        return registration;
    }

    @Bean
    FilterRegistrationBean<DrainingConnections> drainingConnections(ToolCalls calls) {
        FilterRegistrationBean<DrainingConnections> registration = new FilterRegistrationBean<>(
                new DrainingConnections(calls::draining));
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.setAsyncSupported(true);
        return registration;
    }

    @Bean
    HttpServletStatelessServerTransport mcpTransport(IngressProperties properties) {
        return HttpServletStatelessServerTransport.builder()
                .jsonMapper(new JacksonMcpJsonMapper(JsonMapper.builder().build()))
                .messageEndpoint(ENDPOINT)
                .maxRequestSize(properties.getMaxRequestBytes())
                .contextExtractor(request -> {
                    Map<String, Object> context = new HashMap<>();
                    Object identity = request.getAttribute(McpGuardFilter.IDENTITY);
                    if (identity != null) {
                        context.put(McpGuardFilter.IDENTITY, identity);
                    }
                    Object traceparent = request.getAttribute(McpGuardFilter.TRACEPARENT);
                    if (traceparent != null) {
                        context.put(McpGuardFilter.TRACEPARENT, traceparent);
                    }
                    context.put(McpGuardFilter.CLIENT, request.getRemoteAddr());
                    context.put(ToolCalls.LISTING, new ToolCalls.Listing());
                    return McpTransportContext.create(context);
                })
                .build();
    }

    @Bean(destroyMethod = "close")
    McpStatelessAsyncServer mcpServer(HttpServletStatelessServerTransport transport,
            ToolCatalogue catalogue, ToolCalls calls) {
        return McpServer.async(transport)
                .serverInfo("tollgate", "0.1.0")
                .instructions("Tollgate performs GitHub actions for you without giving you a "
                        + "credential. Call status to see who you are; a call that is still "
                        + "running returns a request_id for get_request_status.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .validateToolInputs(false) // the catalogue validates, naming the field
                // tools/list shows each agent what its policy and token can allow
                .addToolFilter((context, tool) -> Mono.just(calls.lists(context, tool.name())))
                .tools(catalogue.tools().stream().map(tool -> AsyncToolSpecification.builder()
                        .tool(toMcp(tool)).callHandler(calls::handle).build()).toList())
                .build();
    }

    static McpSchema.Tool toMcp(ToolDefinition tool) {
        return McpSchema.Tool.builder(tool.name(), tool.inputSchema())
                .title(tool.title())
                .description(tool.description())
                .annotations(new McpSchema.ToolAnnotations(tool.title(), tool.readOnly(), tool
                        .destructive(), tool.idempotent(), tool.openWorld(), null))
                .meta(tool.meta())
                .build();
    }

    @Bean
    ServletRegistrationBean<HttpServletStatelessServerTransport> mcpServlet(
            HttpServletStatelessServerTransport transport) {
        ServletRegistrationBean<HttpServletStatelessServerTransport> registration = new ServletRegistrationBean<>(
                transport, ENDPOINT);
        registration.setName("mcp");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        return registration;
    }

    @Bean
    FilterRegistrationBean<McpGuardFilter> mcpGuard(TokenService tokens, RateLimits rateLimits,
            ToolCatalogue catalogue, IngressProperties properties,
            HttpServletStatelessServerTransport transport,
            Optional<ProtectedResource> protectedResource, RefusalCounter refusals) {
        McpGuardFilter filter = new McpGuardFilter(new OriginPolicy(properties.getAllowedHosts(),
                properties.getAllowedOrigins()), tokens, rateLimits, catalogue,
                properties.getMaxRequestBytes(), properties.getBodyTimeout(),
                properties.getMaxRequestsInFlightPerAgent(),
                transport.protocolVersions(), protectedResource, refusals);
        FilterRegistrationBean<McpGuardFilter> registration = new FilterRegistrationBean<>(
                filter);
        registration.addUrlPatterns(ENDPOINT, ENDPOINT + "/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setAsyncSupported(true);
        return registration;
    }
}
