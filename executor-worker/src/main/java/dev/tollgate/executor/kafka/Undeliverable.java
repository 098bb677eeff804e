package dev.tollgate.executor.kafka;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.handlers.Narrowing;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.tools.ErrorCode;
import dev.tollgate.tools.Tool;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * An answer Kafka will not take however often it is sent (too large, an invalid reply partition,
 * a value that cannot be serialized): what goes out instead. A dead letter says why, naming the
 * decision it answers; the agent gets a small final answer saying what happened (a write is
 * reported done, never to be repeated). Both have event IDs derived from the answer's, so a
 * redelivery that sets the same answer aside again is one event to the audit store.
 */
final class Undeliverable {

    /** How much of the original message a small answer keeps. */
    private static final int MAX_MESSAGE = 1000;
    /** How much of the reason a dead letter keeps. */
    private static final int MAX_REASON = 4000;

    private Undeliverable() {
    }

    /**
     * Whether sending this record again can never succeed: the failure is the record's, not
     * Kafka's (which retrying, or redelivering, outlasts) nor the configuration's (which an
     * operator fixes: an authorization failure keeps the answer until then).
     */
    static boolean isPermanent(Throwable failure) {
        return failure instanceof RecordTooLargeException
                || failure instanceof RecordBatchTooLargeException
                || failure instanceof InvalidRecordException
                || failure instanceof SerializationException
                || failure instanceof InvalidTopicException;
    }

    /** Whether Kafka refused the record for its size. */
    static boolean tooLarge(Throwable failure) {
        return failure instanceof RecordTooLargeException
                || failure instanceof RecordBatchTooLargeException;
    }

    /**
     * The final answer the agent gets instead of {@code original}: its outcome, without what could
     * not be carried. Never fails to build: if the original's own fields are what cannot be
     * serialized, a bare answer naming the request is given.
     *
     * @param requestId the request answered
     * @param reason why the original could not be published
     * @param tooLarge whether Kafka refused it for its size
     */
    static ToolCallCompleted answer(ToolCallCompleted original, String requestId, String reason,
            boolean tooLarge, Clock clock) {
        String id = derivedId("undeliverable", original, requestId);
        try {
            ToolCallCompleted answer = ToolCallCompleted.newBuilder().setMeta(meta(id, requestId,
                    clock)).setAgentId(original.getAgentId()).setEnvironment(original
                            .getEnvironment())
                    .setTool(original.getTool()).setPolicyVersion(original.getPolicyVersion())
                    .setResource(original.getResource()).setUpstreamStatus(original
                            .getUpstreamStatus())
                    .setAttempts(original.getAttempts()).setStatus(CallStatus.FAILED)
                    .setMessage(reason).build();
            outcome(answer, original, reason, tooLarge);
            AvroSingleObjectCodec.shared().encode(answer); // what failed may be its own fields
            return answer;
        } catch (RuntimeException unreadable) {
            return ToolCallCompleted.newBuilder().setMeta(meta(id, requestId, clock)).setAgentId(
                    "unknown").setEnvironment("unknown").setTool("unknown").setStatus(
                            CallStatus.FAILED)
                    .setErrorCode(ErrorCode.TRANSIENT.code()).setRetryable(true).setMessage(
                            "the answer to this request could not be published (" + cut(reason,
                                    MAX_MESSAGE)
                                    + ")")
                    .build();
        }
    }

    private static void outcome(ToolCallCompleted answer, ToolCallCompleted original,
            String reason, boolean tooLarge) {
        String tool = String.valueOf(original.getTool());
        boolean write = Tool.byToolName(tool).map(Tool::isWrite).orElse(false);
        if (original.getStatus() == CallStatus.SUCCEEDED && write) {
            answer.setStatus(CallStatus.SUCCEEDED);
            answer.setResultJson("{\"answer_omitted\":true}");
            answer.setMessage(tool + " succeeded, but its answer could not be published ("
                    + reason + "): the write is done, do not repeat it");
        } else if (original.getStatus() == CallStatus.SUCCEEDED && tooLarge) {
            answer.setErrorCode(ErrorCode.RESULT_TOO_LARGE.code());
            answer.setRetryable(ErrorCode.RESULT_TOO_LARGE.retryable());
            answer.setMessage(tool + "'s answer could not be published (" + reason + "): "
                    + (binaryFile(original)
                            ? "the file is binary, and line ranges apply only to text files, so"
                                    + " get_file cannot return this one"
                            : Narrowing.hint(tool)));
        } else if (original.getStatus() == CallStatus.SUCCEEDED) {
            answer.setErrorCode(ErrorCode.TRANSIENT.code());
            answer.setRetryable(ErrorCode.TRANSIENT.retryable());
            answer.setMessage(tool + "'s answer could not be published (" + reason + "); asking"
                    + " again may succeed");
        } else {
            answer.setErrorCode(original.getErrorCode() == null
                    ? ErrorCode.TRANSIENT.code()
                    : original.getErrorCode());
            answer.setRetryable(original.getErrorCode() == null || original.getRetryable());
            answer.setRetryAt(original.getRetryAt());
            answer.setMessage(cut(String.valueOf(original.getMessage()), MAX_MESSAGE)
                    + " (the full answer could not be published: " + reason + ")");
        }
    }

    /**
     * Whether {@code original} is get_file's answer of a binary file (base64 content, which no
     * line range narrows). Only the result's own field can read so: inside a JSON string, quotes
     * are escaped.
     */
    private static boolean binaryFile(ToolCallCompleted original) {
        CharSequence result = original.getResultJson();
        return Tool.GET_FILE.toolName().equals(String.valueOf(original.getTool())) && result != null
                && result.toString().contains("\"encoding\":\"base64\"");
    }

    /**
     * The dead letter for the decision at {@code source} whose answer could not be published,
     * with the decision itself as payload when {@code withPayload}.
     */
    static DeadLetter deadLetter(ConsumerRecord<String, PolicyDecided> source,
            ToolCallCompleted original, String requestId, String reason, boolean withPayload,
            Clock clock) {
        byte[] payload = null;
        if (withPayload && source.value() != null) {
            try {
                payload = AvroSingleObjectCodec.shared().encode(source.value());
            } catch (RuntimeException unreadable) {
                payload = null;
            }
        }
        return DeadLetter.newBuilder().setMeta(meta(derivedId("dead-letter", original,
                requestId), requestId, clock)).setSourceTopic(source.topic()).setSourcePartition(
                        source.partition())
                .setSourceOffset(source.offset()).setReason(cut("the answer to request "
                        + requestId + " could not be published: " + reason + (payload == null
                                ? " (the decision is left out)"
                                : " (the payload is the decision)"),
                        MAX_REASON))
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload)).build();
    }

    /** An event ID derived from the answer's, the same however often this is done for it. */
    private static String derivedId(String what, ToolCallCompleted original, String requestId) {
        EventMeta meta = original.getMeta();
        String base = meta != null && meta.getEventId() != null
                ? meta.getEventId()
                : "request:" + requestId;
        return UUID.nameUUIDFromBytes((what + ":" + base).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    private static EventMeta meta(String eventId, String requestId, Clock clock) {
        EventMeta meta = EventMetas.create(Roles.EXECUTOR_WORKER, requestId, clock);
        meta.setEventId(eventId);
        return meta;
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
