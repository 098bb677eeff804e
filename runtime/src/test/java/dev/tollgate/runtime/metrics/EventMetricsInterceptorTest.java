package dev.tollgate.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class EventMetricsInterceptorTest {

    static {
        AvroSingleObjectCodec.shared(); // trusts Tollgate's event classes
    }

    @Test
    void anAnswerSentToItsAgentAndKeptIsCountedOnce() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventMetricsInterceptor interceptor = new EventMetricsInterceptor(registry);
        ToolCallCompleted denied = ToolCallCompleted.newBuilder().setMeta(EventMeta.newBuilder()
                .setEventId("e-1").setRequestId("r-1").setOccurredAt(Instant.EPOCH).setProducer(
                        "decision-worker")
                .build()).setAgentId("a").setEnvironment("dev")
                .setTool("get_file").setStatus(CallStatus.DENIED).setErrorCode("policy_denied")
                .setMessage("denied").setRetryable(false).setAttempts(0)
                .build();

        interceptor.onSend(new ProducerRecord<>(Topics.REPLIES.name(), "r-1", denied));
        interceptor.onSend(new ProducerRecord<>(Topics.RESULTS.name(), "r-1", denied));

        assertThat(registry.counter(MetricNames.CALLS_COMPLETED, "tool", "get_file", "outcome",
                "denied", "error_class", "policy_denied").count()).isEqualTo(1.0);
        assertThat(registry.counter(MetricNames.DECISIONS, "outcome", "denied", "reason",
                "policy_denied").count()).isEqualTo(1.0);
    }
}
