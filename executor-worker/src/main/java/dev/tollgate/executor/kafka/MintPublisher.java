package dev.tollgate.executor.kafka;

import dev.tollgate.events.TokenMinted;
import dev.tollgate.runtime.logging.RequestMdc;
import dev.tollgate.schemas.TollgateHeaders;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.MDC;

/**
 * Where a replica's token cache reports its mints: each {@link TokenMinted} is queued inside the
 * mint (before the token is handed to any caller) and {@link #flush() written} before the next
 * answer goes out. An event leaves the queue only once the broker has acknowledged it, so an answer
 * that used a token is never published before that token's mint is in the audit trail, whichever
 * call (or consumer of this replica) minted it.
 */
public final class MintPublisher implements Consumer<TokenMinted> {

    private final Producer<String, SpecificRecord> producer;
    private final String topic;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock(); // not synchronized: callers are virtual threads

    public MintPublisher(Producer<String, SpecificRecord> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A queued event and the trace context of the call that minted it. */
    private record Pending(TokenMinted event, String traceparent) {
    }

    /**
     * Called inside the mint: queue the event; it is written before the next answer. The minting
     * call's trace context (in the logging MDC while a decision is performed) goes with it, so the
     * mint can be followed with the rest of the call.
     */
    @Override
    public void accept(TokenMinted event) {
        pending.add(new Pending(event, MDC.get(RequestMdc.TRACEPARENT)));
    }

    /**
     * Writes every queued event and waits for the broker. An event that cannot be written stays
     * queued and the caller's answer is held back (not published nor committed) until it is: a
     * mint is never left out of the audit trail because its token is already cached. Cheap when
     * nothing is queued, which is nearly always (one mint per scope per token lifetime).
     */
    public void flush() throws InterruptedException, ExecutionException, TimeoutException {
        if (pending.isEmpty()) {
            return; // an event being written is still queued, so empty means all acknowledged
        }
        writing.lockInterruptibly();
        try {
            Pending next;
            while ((next = pending.peek()) != null) {
                TokenMinted event = next.event();
                RecordHeaders headers = new RecordHeaders();
                TollgateHeaders.put(headers, TollgateHeaders.REQUEST_ID, event.getMeta()
                        .getRequestId());
                if (next.traceparent() != null) {
                    TollgateHeaders.put(headers, TollgateHeaders.TRACEPARENT, next.traceparent());
                }
                producer.send(new ProducerRecord<>(topic, null, Long.toString(event
                        .getInstallationId()), event, headers)).get(30, TimeUnit.SECONDS);
                pending.poll();
            }
        } finally {
            writing.unlock();
        }
    }
}
