package dev.tollgate.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ContentReference;
import dev.tollgate.events.RequestContent;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.ingress.core.replies.Reply;
import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.tools.ToolCatalogue;
import dev.tollgate.tools.ValidatedCall;
import dev.tollgate.tools.WithheldContent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
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
            replies.complete(
                    new Reply(requestId, "agent-1", "dev", "get_file", "SUCCEEDED", null, false,
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

    @Test
    void whatAnAgentWritesGoesToTheTopicThatForgetsAndTheRequestKeptForeverHoldsItsProof()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        try (Admin admin = broker.admin()) {
            for (String topic : List.of(Topics.REQUESTS.name(), Topics.CONTENTS.name())) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30,
                            TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        ReplyBook replies = new ReplyBook(Clock.systemUTC(), Duration.ofMinutes(5), 100);
        String file = "#!/bin/sh\necho the whole file\n";
        ValidatedCall call = ToolCatalogue.standard().validate("push_files", Map.of("owner",
                "octo", "repo", "hello", "branch", "agent-fix", "message", "Add the tool",
                "files", List.of(Map.of("path", "bin/tool", "content", file, "executable",
                        true))));
        try (EventPublisher publisher = new EventPublisher(broker.producerProps())) {
            CallDispatcher dispatcher = new CallDispatcher(publisher, replies, Clock.systemUTC(),
                    Duration.ofSeconds(1), () -> 0);
            Instant now = Instant.now();
            CompletableFuture<CallDispatcher.Outcome> outcome = dispatcher.dispatch(
                    new AgentIdentity("agent-1", "dev", "token-1", now, now.plus(Duration
                            .ofHours(1)), Optional.empty()),
                    call, null);
            // accepted (both records acknowledged), so pending once the short wait is over
            assertThat(outcome.get(60, TimeUnit.SECONDS)).isInstanceOf(
                    CallDispatcher.StillPending.class);
            String requestId = outcome.get().requestId();

            ToolCallRequested request = (ToolCallRequested) read(broker, Topics.REQUESTS,
                    requestId, -1).value();
            assertThat(request.getArgumentsJson()).doesNotContain("the whole file").contains(
                    WithheldContent.proofOf(file), "bin/tool", "Add the tool", "agent-fix");
            assertThat(request.getTarget()).isNotNull();
            ContentReference where = request.getContent();
            assertThat(where).as("where the content waits").isNotNull();
            ConsumerRecord<String, SpecificRecord> content = read(broker, Topics.CONTENTS,
                    requestId, where.getOffset());
            assertThat(content.partition()).isEqualTo(where.getPartition());
            RequestContent values = (RequestContent) content.value();
            assertThat(values.getMeta().getRequestId()).isEqualTo(requestId);
            Map<String, Object> kept = new tools.jackson.databind.ObjectMapper().readValue(request
                    .getArgumentsJson(),
                    new tools.jackson.core.type.TypeReference<Map<String, Object>>() {
                    });
            Map<String, String> withheld = new tools.jackson.databind.ObjectMapper().readValue(
                    values.getValuesJson(),
                    new tools.jackson.core.type.TypeReference<Map<String, String>>() {
                    });
            assertThat(call.tool().validate(WithheldContent.restore(call.tool(), kept, withheld)))
                    .isEqualTo(call);
        }
    }

    /** The record keyed {@code key} on {@code topic} (at {@code offset}, or any when -1). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ConsumerRecord<String, SpecificRecord> read(KafkaTestBroker broker,
            Topic<?> topic, String key, long offset) {
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("reader")), new StringDeserializer(),
                new EventDeserializer(AvroSingleObjectCodec.shared(), (Class) topic.valueType()))) {
            consumer.subscribe(List.of(topic.name()));
            List<String> seen = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration
                        .ofMillis(200))) {
                    if (key.equals(record.key()) && (offset < 0 || record.offset() == offset)) {
                        return record;
                    }
                    seen.add(record.key() + "@" + record.offset());
                }
            }
            throw new AssertionError("no record keyed " + key + " on " + topic.name()
                    + " within 60 s; saw " + seen);
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
