package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.MessageLimits;

/**
 * The largest answer the executor publishes: a {@code ToolCallCompleted} as serialized for Kafka
 * (Avro single-object encoding, the codec the executor's producer uses; the result's JSON text in
 * it as UTF-8, escaping included). It is the {@link MessageLimits#maxEventBytes()} of the one
 * record size, so every answer the executor builds is one Kafka carries: a larger result is
 * answered {@code result_too_large} instead, before it is recorded or published.
 *
 * @param maxBytes the most bytes one serialized answer may take
 */
public record AnswerLimit(int maxBytes) {

    /** Room for the answer's short fields when judging it by its long texts alone. */
    private static final int SHORT_FIELDS_BYTES = 64 * 1024;

    public AnswerLimit {
        if (maxBytes <= SHORT_FIELDS_BYTES) {
            throw new IllegalArgumentException("an answer limit of " + maxBytes
                    + " bytes leaves no room for a result");
        }
    }

    /** The limit of the one record size {@code limits}. */
    public static AnswerLimit of(MessageLimits limits) {
        return new AnswerLimit(limits.maxEventBytes());
    }

    public static AnswerLimit defaults() {
        return of(MessageLimits.defaults());
    }

    /** The bytes of {@code answer} as published. */
    public static int sizeOf(ToolCallCompleted answer) {
        return AvroSingleObjectCodec.shared().encode(answer).length;
    }

    /**
     * Whether {@code answer} is within the limit: at once when its long texts, at three bytes a
     * character, are far below it (nearly every answer), else by serializing it.
     */
    public boolean fits(ToolCallCompleted answer) {
        long chars = length(answer.getResultJson()) + length(answer.getMessage()) + length(answer
                .getErrorDetailsJson());
        return 3 * chars + SHORT_FIELDS_BYTES <= maxBytes || sizeOf(answer) <= maxBytes;
    }

    /**
     * The bytes a result's JSON text (UTF-8) may take in a successful answer otherwise like
     * {@code skeleton} (whose result is empty): the limit less the rest of the answer, less room
     * for the result's length prefix and larger counts.
     */
    public int resultBudget(ToolCallCompleted skeleton) {
        return Math.max(0, maxBytes - sizeOf(skeleton) - 16);
    }

    private static long length(CharSequence text) {
        return text == null ? 0 : text.length();
    }
}
