package dev.tollgate.decision;

import dev.tollgate.decision.kafka.DecisionLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** Runs the decision loops on their own threads for the life of the application context. */
public final class DecisionWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DecisionWorker.class);

    private final List<Supplier<DecisionLoop>> factories;
    private final List<DecisionLoop> loops = new ArrayList<>();
    private volatile boolean running;

    public DecisionWorker(List<Supplier<DecisionLoop>> factories) {
        this.factories = List.copyOf(factories);
    }

    @Override
    public synchronized void start() {
        for (int i = 0; i < factories.size(); i++) {
            DecisionLoop loop = factories.get(i).get();
            Thread thread = new Thread(loop, "decision-loop-" + i);
            thread.start();
            loops.add(loop);
        }
        running = true;
        log.info("decision worker consuming gateway.requests with {} consumer(s)", loops.size());
    }

    @Override
    public synchronized void stop() {
        for (DecisionLoop loop : loops) {
            try {
                loop.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loops.clear();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** True while every loop is polling (none stopped on an error). */
    public synchronized boolean healthy() {
        return running && loops.stream().noneMatch(DecisionLoop::isStopped);
    }
}
