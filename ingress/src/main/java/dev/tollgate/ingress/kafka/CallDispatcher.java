package dev.tollgate.ingress.kafka;

import dev.tollgate.events.ContentReference;
import dev.tollgate.events.RequestContent;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.ingress.core.replies.Reply;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GrantNarrowing;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TargetEvents;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.tools.ValidatedCall;
import dev.tollgate.tools.WithheldContent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Turns a validated tool call into a {@code ToolCallRequested} on gateway.requests (keyed by
 * request ID, reply route and trace context in headers) and waits for its final answer, at most
 * the reply timeout; after that the call is pending and {@code get_request_status} finds its
 * answer on any replica. What the agent writes (bodies, file contents) is withheld from the
 * request, which is kept forever: it goes first to gateway.contents, which forgets, and the
 * request carries each value's proof and where the values wait ({@link WithheldContent}).
 */
public final class CallDispatcher {

    /** How a dispatched call ended, from the ingress's point of view. */
    public sealed interface Outcome permits Answered, StillPending, NotAccepted {

        String requestId();
    }

    public record Answered(String requestId, Reply reply) implements Outcome {
    }

    public record StillPending(String requestId, Duration waited) implements Outcome {
    }

    public record NotAccepted(String requestId, String reason) implements Outcome {
    }

    /** Sends a request whose content Kafka has just acknowledged, each on a thread of its own. */
    private static final Executor SENDERS = command -> Thread.ofVirtual().name("tollgate-send")
            .start(command);

    private final EventPublisher publisher;
    private final ReplyBook replies;
    private final Clock clock;
    private final Duration replyTimeout;
    private final IntSupplier replyPartition;
    private final Executor responders;

    /**
     * Every outcome is handed to the waiting call on a virtual thread of its own: rendering the MCP
     * result and writing the HTTP response never run on (and never hold up) the thread that reads
     * this replica's reply partition, the producer's network thread (an answer can arrive before
     * the request's acknowledgement) or the timeout's timer, and the answers of one polled batch go
     * out side by side.
     */
    public CallDispatcher(EventPublisher publisher, ReplyBook replies, Clock clock,
            Duration replyTimeout, IntSupplier replyPartition) {
        this(publisher, replies, clock, replyTimeout, replyPartition, Thread.ofVirtual().name(
                "tollgate-respond")::start);
    }

    public CallDispatcher(EventPublisher publisher, ReplyBook replies, Clock clock,
            Duration replyTimeout, IntSupplier replyPartition, Executor responders) {
        this.responders = responders;
        this.publisher = publisher;
        this.replies = replies;
        this.clock = clock;
        this.replyTimeout = replyTimeout;
        this.replyPartition = replyPartition;
    }

    public CompletableFuture<Outcome> dispatch(AgentIdentity caller, ValidatedCall call,
            String traceparent) {
        return dispatch(caller, call, traceparent, null);
    }

    /**
     * As {@link #dispatch(AgentIdentity, ValidatedCall, String)}, recording the client's address
     * on the request.
     */
    public CompletableFuture<Outcome> dispatch(AgentIdentity caller, ValidatedCall call,
            String traceparent, String clientAddress) {
        return dispatch(caller, call, WithheldContent.split(call), traceparent, clientAddress);
    }

    /**
     * As {@link #dispatch(AgentIdentity, ValidatedCall, String, String)}, with the call's content
     * already withheld ({@code split}, from {@link WithheldContent#split} of {@code call}).
     */
    public CompletableFuture<Outcome> dispatch(AgentIdentity caller, ValidatedCall call,
            WithheldContent.Split split, String traceparent, String clientAddress) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<Reply> answer = replies.expect(requestId, caller.principal());
        int partition = replyPartition.getAsInt();
        // with content, the request is sent off the producer's network thread that acknowledged
        // the content: a send there could block on metadata only that thread can fetch
        CompletableFuture<RecordMetadata> sent = split.withheld()
                ? withheld(requestId, split).thenComposeAsync(content -> send(requestId, caller,
                        call, clientAddress, split, content, partition, traceparent), SENDERS)
                : send(requestId, caller, call, clientAddress, split, null, partition,
                        traceparent);
        return sent.handle((metadata, error) -> error).thenCompose(error -> {
            if (error != null) {
                replies.forget(requestId);
                return CompletableFuture.completedFuture((Outcome) new NotAccepted(
                        requestId,
                        "the gateway could not queue the call (Kafka did not acknowledge it); "
                                + "nothing was done, retry later"));
            }
            return answer.<Outcome>thenApply(reply -> new Answered(requestId, reply))
                    .completeOnTimeout(new StillPending(requestId, replyTimeout),
                            replyTimeout
                                    .toMillis(),
                            TimeUnit.MILLISECONDS);
        }).whenComplete((outcome, error) -> replies.stopWaiting(requestId)) // pending: polled
                .thenApplyAsync(outcome -> outcome, responders); // whichever thread ended it
    }

    private CompletableFuture<RecordMetadata> send(String requestId, AgentIdentity caller,
            ValidatedCall call, String clientAddress, WithheldContent.Split split,
            ContentReference content, int partition, String traceparent) {
        return publisher.send(Topics.REQUESTS, requestId, request(requestId, caller, call,
                clientAddress, split.argumentsJson(), content), headers -> {
                    TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, requestId);
                    TollgateHeaders.put(headers, TollgateHeaders.REPLY_TOPIC, Topics.REPLIES
                            .name());
                    TollgateHeaders.putInt(headers, TollgateHeaders.REPLY_PARTITION, partition);
                    TollgateHeaders.put(headers, TollgateHeaders.TRACEPARENT, traceparent);
                });
    }

    /**
     * Where the call's withheld values wait, once Kafka has them (before the request that names
     * them is sent); null when nothing was withheld.
     */
    private CompletableFuture<ContentReference> withheld(String requestId,
            WithheldContent.Split split) {
        if (!split.withheld()) {
            return CompletableFuture.completedFuture(null);
        }
        RequestContent content = RequestContent.newBuilder().setMeta(EventMetas.create(
                Roles.INGRESS, requestId, clock)).setValuesJson(split.valuesJson()).build();
        return publisher.send(Topics.CONTENTS, requestId, content, headers -> TollgateHeaders
                .put(headers, TollgateHeaders.REQUEST_ID, requestId)).thenApply(
                        metadata -> new ContentReference(metadata.partition(), metadata
                                .offset()));
    }

    ToolCallRequested request(String requestId, AgentIdentity caller, ValidatedCall call,
            String clientAddress) {
        return request(requestId, caller, call, clientAddress, call.argumentsJson(), null);
    }

    private ToolCallRequested request(String requestId, AgentIdentity caller, ValidatedCall call,
            String clientAddress, String argumentsJson, ContentReference content) {
        Instant now = clock.instant();
        return ToolCallRequested.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, requestId, clock))
                .setAgentId(caller.agentId())
                .setEnvironment(caller.environment())
                .setGatewayTokenId(caller.tokenId())
                .setClientAddress(clientAddress)
                .setTool(call.tool().name())
                .setResource(call.target().map(TargetEvents::resource).orElse(null))
                .setArgumentsJson(argumentsJson)
                .setContent(content)
                .setGrantNarrowing(caller.narrowing().map(GrantNarrowing::toJson).orElse(null))
                .setDeadlineAt(now.plus(replyTimeout))
                .setTarget(call.target().map(TargetEvents::toEvent).orElse(null))
                .build();
    }

    public Duration replyTimeout() {
        return replyTimeout;
    }
}
