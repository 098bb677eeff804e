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
    void takesExactlyWhatTheSafeCharacterClassAcceptsForEveryCharacterAndLength() {
        java.util.regex.Pattern reference = java.util.regex.Pattern.compile(
                "[A-Za-z0-9._:-]{1,128}");
        for (char c = 0; c < 0x3000; c++) {
            String one = String.valueOf(c);
            assertThat(RequestMdc.safe(one)).as("U+%04X", (int) c).isEqualTo(reference.matcher(
                    one).matches());
            String inside = "req-" + c + "-1";
            assertThat(RequestMdc.safe(inside)).as("inside: U+%04X", (int) c).isEqualTo(
                    reference.matcher(inside).matches());
        }
        for (String value : java.util.List.of("", "a".repeat(128), "a".repeat(129),
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "2f1c7a2e-9a43-4c1e-8f6e-2b1d4e9a7c55", "a\uD83D\uDE00", "\u0130d")) {
            assertThat(RequestMdc.safe(value)).as(value).isEqualTo(reference.matcher(value)
                    .matches());
        }
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
