package dev.tollgate.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.replies.Reply;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ValidatedCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;

/** The answer reaches the waiting call off the thread that read it (a real broker takes the request). */
class CallDispatcherTest {

    @org.junit.jupiter.params.ParameterizedTest(name = "answer before the acknowledgement: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void anAnswerIsHandedToTheWaitingCallOnAVirtualThreadNotTheReaders(boolean beforeAck)
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(Topics.REQUESTS.name(), 1, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        ReplyBook replies = new ReplyBook(Clock.systemUTC(), Duration.ofMinutes(5), 100);
        try (EventPublisher publisher = new EventPublisher(broker.producerProps())) {
            CallDispatcher dispatcher = new CallDispatcher(publisher, replies, Clock.systemUTC(),
                    Duration.ofSeconds(30), () -> 0);
            Instant now = Instant.now();
            AgentIdentity caller = new AgentIdentity("agent-1", "dev", "token-1", now, now.plus(
                    Duration.ofHours(1)), Optional.empty());
            ValidatedCall call = ToolCatalogue.standard().validate("get_file", Map.of("owner",
                    "octo", "repo", "hello", "path", "a.txt"));

            CompletableFuture<CallDispatcher.Outcome> outcome = dispatcher.dispatch(caller, call,
                    null);
            CompletableFuture<Thread> handedOn = outcome.thenApply(o -> Thread.currentThread());
            String requestId = awaitWaiting(replies);
            if (!beforeAck) {
                Thread.sleep(500); // the request's acknowledgement has come back by now
            }
            replies.complete(new Reply(requestId, "agent-1", "get_file", "SUCCEEDED", null, false,
                    null, "ok", "{}", "sha256:x", null));

            // wait on the dependent, not on the outcome: a thread blocked in outcome.get() helps
            // run the outcome's dependents itself
            Thread responder = handedOn.get(10, TimeUnit.SECONDS);
            assertThat(outcome.getNow(null)).isInstanceOfSatisfying(CallDispatcher.Answered.class,
                    answered -> assertThat(answered.requestId()).isEqualTo(requestId));
            assertThat(responder).isNotSameAs(Thread.currentThread());
            assertThat(responder.isVirtual()).isTrue();
            assertThat(responder.getName()).isEqualTo("tollgate-respond");
        }
    }

    /** The request ID the dispatcher registered, once Kafka has acknowledged the request. */
    private static String awaitWaiting(ReplyBook replies) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (replies.waitingCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(replies.waitingCount()).isEqualTo(1);
        return replies.waitingIds().iterator().next();
    }
}
