package dev.tollgate.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.TollgateHeaders;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class KafkaListenersRequestIdTest {

    private static ConsumerRecord<String, String> recordWithRequestId(String requestId) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("gateway.replies", 3, 42L,
                "inst-1", "value");
        record.headers().add(TollgateHeaders.REQUEST_ID, requestId.getBytes(
                StandardCharsets.UTF_8));
        return record;
    }

    @Test
    void theHandlerRunsWithTheRecordsRequestIdInTheLoggingContext() {
        AtomicReference<String> seen = new AtomicReference<>();

        KafkaListeners.<String>withRequestId("replies", r -> seen.set(MDC.get(
                RequestMdc.REQUEST_ID))).accept(recordWithRequestId("req-123"));

        assertThat(seen.get()).isEqualTo("req-123");
        assertThat(MDC.get(RequestMdc.REQUEST_ID)).isNull();
    }

    @Test
    void aFailingRecordIsSkippedAndTheContextCleared() {
        assertThatCode(() -> KafkaListeners.<String>withRequestId("replies", r -> {
            throw new IllegalStateException("bad record");
        }).accept(recordWithRequestId("req-456"))).doesNotThrowAnyException();

        assertThat(MDC.get(RequestMdc.REQUEST_ID)).isNull();
    }
}
