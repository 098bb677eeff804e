package dev.tollgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.TollgateHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class RequestMdcTest {

    @Test
    void theRecordsRequestIdAndTraceparentAreInTheMdcWhileItIsHandledOnly() {
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, "req-42");
        TollgateHeaders.put(headers, TollgateHeaders.TRACEPARENT,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        String during;
        String traceDuring;
        try (RequestMdc ignored = RequestMdc.open(headers)) {
            during = MDC.get(RequestMdc.REQUEST_ID);
            traceDuring = MDC.get(RequestMdc.TRACEPARENT);
        }

        assertThat(during).isEqualTo("req-42");
        assertThat(traceDuring).startsWith("00-4bf92f35");
        assertThat(MDC.get(RequestMdc.REQUEST_ID)).isNull();
        assertThat(MDC.get(RequestMdc.TRACEPARENT)).isNull();
    }

    @Test
    void aHeaderWithLogBreakingTextIsNotPutInTheMdc() {
        RecordHeaders headers = new RecordHeaders();
        TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, "x\n2026 ERROR forged line");

        try (RequestMdc ignored = RequestMdc.open(headers)) {
            assertThat(MDC.get(RequestMdc.REQUEST_ID)).isNull();
        }
    }
}
