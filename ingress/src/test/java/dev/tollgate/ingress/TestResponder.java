package dev.tollgate.ingress;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the workers' part in tests only: reads gateway.requests and answers each request of its
 * agents (agent IDs starting with its prefix) on the reply topic and partition the request's
 * headers name, echoing what it received. Requests of agents in {@link #hold} are kept until
 * {@link #release}.
 */
public final class TestResponder implements AutoCloseable {

    private final String agentPrefix;
    private final KafkaConsumer<String, ToolCallRequested> consumer;
    private final KafkaProducer<String, ToolCallCompleted> producer;
    private final Set<String> heldAgents = ConcurrentHashMap.newKeySet();
    private final Map<String, ConsumerRecord<String, ToolCallRequested>> held = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public TestResponder(String agentPrefix) {
        this.agentPrefix = agentPrefix;
        KafkaTestBroker broker = KafkaTestBroker.get();
        this.consumer = new KafkaConsumer<>(broker.consumerProps(KafkaTestBroker.uniqueName(
                "responder")), new StringDeserializer(), new EventDeserializer<>(
                        dev.tollgate.schemas.AvroSingleObjectCodec.shared(),
                        ToolCallRequested.class));
        this.producer = new KafkaProducer<>(broker.producerProps(), new StringSerializer(),
                new EventSerializer<>());
        consumer.subscribe(List.of(Topics.REQUESTS.name()));
        this.thread = Thread.ofPlatform().daemon().name("test-responder").start(this::run);
    }

    /** Requests of this agent are not answered until released. */
    public void hold(String agentId) {
        heldAgents.add(agentId);
    }

    /** Answers a held request now. */
    public boolean release(String requestId) {
        ConsumerRecord<String, ToolCallRequested> record = held.remove(requestId);
        if (record == null) {
            return false;
        }
        answer(record);
        return true;
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, ToolCallRequested> record : consumer.poll(Duration
                        .ofMillis(100))) {
                    ToolCallRequested request = record.value();
                    if (!request.getAgentId().startsWith(agentPrefix)) {
                        continue;
                    }
                    if (heldAgents.contains(request.getAgentId())) {
                        held.put(record.key(), record);
                    } else {
                        answer(record);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        }
    }

    private void answer(ConsumerRecord<String, ToolCallRequested> record) {
        ToolCallRequested request = record.value();
        String requestId = TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID)
                .orElseThrow();
        String replyTopic = TollgateHeaders.get(record.headers(), TollgateHeaders.REPLY_TOPIC)
                .orElseThrow();
        int partition = TollgateHeaders.getInt(record.headers(), TollgateHeaders.REPLY_PARTITION)
                .orElseThrow();
        boolean deny = request.getTool().equals("create_issue");
        ToolCallCompleted completed = ToolCallCompleted.newBuilder()
                .setMeta(EventMetas.create(Roles.EXECUTOR_WORKER, requestId, Clock.systemUTC()))
                .setAgentId(request.getAgentId())
                .setEnvironment(request.getEnvironment())
                .setTool(request.getTool())
                .setStatus(deny ? CallStatus.DENIED : CallStatus.SUCCEEDED)
                .setErrorCode(deny ? "denied_by_policy" : null)
                .setMessage(deny ? "no grant allows create_issue on this repository" : "done")
                .setResultJson(deny
                        ? null
                        : "{\"echo\":\"" + requestId + "\",\"tool\":\""
                                + request.getTool() + "\",\"partition\":" + partition
                                + ",\"agent\":\"" + request.getAgentId()
                                + "\",\"environment\":\"" + request.getEnvironment() + "\"}")
                .setPolicyVersion("test-policy")
                .build();
        ProducerRecord<String, ToolCallCompleted> reply = new ProducerRecord<>(replyTopic,
                partition, requestId, completed);
        TollgateHeaders.propagate(record.headers(), reply.headers());
        producer.send(reply);
        producer.flush();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        producer.close();
    }
}
