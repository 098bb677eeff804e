package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventMetas;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What every {@link CompletionStore} promises; run once per implementation. */
abstract class CompletionStoreContract {

    static {
        AvroSingleObjectCodec.shared();
    }

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    protected abstract CompletionStore store();

    static ToolCallCompleted completed(String requestId, String message) {
        return ToolCallCompleted.newBuilder().setMeta(EventMetas.create("executor-worker",
                requestId, CLOCK)).setAgentId("a").setEnvironment("e").setTool("create_issue")
                .setStatus(CallStatus.SUCCEEDED).setMessage(message).setResultJson(
                        "{\"number\":1}")
                .setAttempts(2).build();
    }

    @Test
    void aWriteNeverSeenMayBeClaimed() {
        assertThat(store().claimWrite("never-seen", CLOCK.instant())).isEmpty();
    }

    @Test
    void findsNothingForAnUnknownRequest() {
        assertThat(store().find("unknown")).isEmpty();
    }

    @Test
    void returnsTheRecordedAnswerUnchanged() {
        ToolCallCompleted answer = completed("r-1", "done");

        ToolCallCompleted kept = store().record(answer);

        assertThat(kept).isEqualTo(answer);
        assertThat(store().find("r-1")).contains(answer);
    }

    @Test
    void theFirstAnswerRecordedWins() {
        ToolCallCompleted first = completed("r-2", "first");
        store().record(first);

        ToolCallCompleted kept = store().record(completed("r-2", "second"));

        assertThat(kept).isEqualTo(first);
        assertThat(store().find("r-2")).contains(first);
    }
}
