package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Drives N calls through C callers and measures each. Closed loop (the default): C callers each
 * make their next call as soon as the previous one answers. Open loop ({@code rate > 0}): calls
 * start on a fixed schedule of {@code rate} per second whatever the answers do, each taking a free
 * caller (at most C in flight), and each call's latency counts from when it was due, so a stall
 * shows up in the percentiles instead of hiding (no coordinated omission).
 */
final class Load {

    /** One caller: a session or connection used by one call at a time. */
    @FunctionalInterface
    interface Caller {
        /** Makes one call; true if it succeeded. */
        boolean call() throws Exception;
    }

    private Load() {
    }

    static LatencyStats run(String name, int calls, int concurrency, double rate,
            IntFunction<Caller> callers, PrintStream progress) throws InterruptedException {
        List<Caller> slots = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            slots.add(callers.apply(i));
        }
        long[] latencies = new long[calls];
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Thread reporter = progress == null
                ? null
                : Thread.ofPlatform().daemon().name("bench-progress").start(() -> report(name,
                        calls, done, errors, progress));
        long started = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            if (rate <= 0) {
                AtomicInteger remaining = new AtomicInteger(calls);
                for (Caller caller : slots) {
                    threads.submit(() -> {
                        while (remaining.getAndDecrement() > 0) {
                            measure(caller, System.nanoTime(), latencies, recorded, errors, done);
                        }
                    });
                }
            } else {
                BlockingQueue<Caller> free = new ArrayBlockingQueue<>(concurrency, false, slots);
                double interval = 1e9 / rate;
                for (int i = 0; i < calls; i++) {
                    long due = started + (long) (i * interval);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    threads.submit(() -> {
                        Caller caller = free.take();
                        try {
                            measure(caller, due, latencies, recorded, errors, done);
                        } finally {
                            free.add(caller);
                        }
                        return null;
                    });
                }
            }
        } finally {
            if (reporter != null) {
                reporter.interrupt();
            }
        }
        long elapsed = System.nanoTime() - started;
        return LatencyStats.of(name, Arrays.copyOf(latencies, recorded.get()), errors.get(),
                elapsed);
    }

    private static void measure(Caller caller, long due, long[] latencies, AtomicInteger recorded,
            AtomicInteger errors, AtomicInteger done) {
        boolean ok;
        try {
            ok = caller.call();
        } catch (Exception e) {
            ok = false;
        }
        long latency = System.nanoTime() - due;
        if (ok) {
            latencies[recorded.getAndIncrement()] = latency;
        } else {
            errors.incrementAndGet();
        }
        done.incrementAndGet();
    }

    private static void report(String name, int calls, AtomicInteger done, AtomicInteger errors,
            PrintStream progress) {
        long last = System.nanoTime();
        int lastDone = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            int finished = done.get();
            progress.printf(Locale.ROOT, "[bench] %s: %d/%d calls, %d errors, %.0f calls/s,"
                    + " RSS %d MiB%n", name, finished, calls, errors.get(),
                    (finished - lastDone)
                            / ((now - last) / 1e9),
                    Bench.procStatus("VmRSS") / 1024);
            last = now;
            lastDone = finished;
        }
    }
}
