package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The last {@code capacity} completions of this process, oldest evicted first. */
public final class InMemoryCompletionStore implements CompletionStore {

    private final Map<String, ToolCallCompleted> completions;

    public InMemoryCompletionStore(int capacity) {
        this.completions = new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ToolCallCompleted> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public synchronized Optional<ToolCallCompleted> find(String requestId) {
        return Optional.ofNullable(completions.get(requestId));
    }

    @Override
    public synchronized ToolCallCompleted record(ToolCallCompleted completed) {
        ToolCallCompleted earlier = completions.putIfAbsent(completed.getMeta().getRequestId(),
                completed);
        return earlier == null ? completed : earlier;
    }
}
