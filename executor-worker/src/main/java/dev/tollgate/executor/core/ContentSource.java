package dev.tollgate.executor.core;

import dev.tollgate.events.ContentReference;
import java.util.Map;

/**
 * Where the executor reads what an agent wrote (bodies, file contents), withheld from the request
 * kept forever: the ingress put it on {@code gateway.contents} before the request, and the request
 * names its partition and offset. The values come back unchecked; the executor checks each against
 * the proof the signed decision carries.
 */
@FunctionalInterface
public interface ContentSource {

    /** For an executor given no source: every request with withheld content is refused. */
    ContentSource NONE = (requestId, reference) -> {
        throw new Unavailable("this executor reads no withheld content (gateway.contents)",
                false);
    };

    /**
     * The withheld values of request {@code requestId}, by JSON pointer.
     *
     * @throws Unavailable when they cannot be read: no record there, another request's, gone
     *         (older than the topic keeps), or Kafka did not answer in time
     */
    Map<String, String> values(String requestId, ContentReference reference);

    /** The withheld content cannot be read; nothing was done. */
    final class Unavailable extends RuntimeException {

        private final boolean transientFailure;

        /**
         * @param message what went wrong, never the content
         * @param transientFailure true if the same call sent again may succeed (Kafka was slow),
         *        false if it cannot (the record is not that request's)
         */
        public Unavailable(String message, boolean transientFailure) {
            super(message);
            this.transientFailure = transientFailure;
        }

        public boolean transientFailure() {
            return transientFailure;
        }
    }
}
