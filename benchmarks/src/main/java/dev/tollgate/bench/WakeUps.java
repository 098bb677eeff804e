package dev.tollgate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What it costs this machine for one thread to wake another: two platform threads hand a turn back
 * and forth with {@link LockSupport#park()} / {@link LockSupport#unpark(Thread)} — each hand-off a
 * wake-up and a context switch, as when a Kafka client's network thread hands a response to the
 * thread waiting for it — and the CPU both threads used ({@link ThreadMXBean}) is divided by the
 * hand-offs. Measured in the same run as the figures it explains, since a virtual machine's
 * context switches can cost several times a bare machine's.
 */
final class WakeUps {

    /** Hand-offs in a measurement (two per round trip). */
    static final int DEFAULT_HAND_OFFS = 40_000;

    private WakeUps() {
    }

    /**
     * The measured cost: {@code cpuMicros} of CPU per hand-off over {@code handOffs}, and the
     * context switches the two threads made meanwhile as Linux counted them (-1: not counted, no
     * /proc); the switches say whether the threads really slept between turns.
     */
    record Cost(int handOffs, double cpuMicros, double wallMicros, long switches) {

        /** What {@code switchesPerCall} cost at this price, in CPU ms per call. */
        double millisFor(double switchesPerCall) {
            return switchesPerCall * cpuMicros / 1000;
        }
    }

    /** Measures {@code handOffs} hand-offs; {@code null} where the JVM cannot time threads' CPU. */
    static Cost measure(int handOffs) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            return null;
        }
        int rounds = handOffs / 2;
        AtomicInteger turn = new AtomicInteger();
        AtomicLong pongCpu = new AtomicLong();
        AtomicLong pongSwitches = new AtomicLong();
        AtomicInteger ready = new AtomicInteger();
        Thread ping = Thread.currentThread();
        Thread pong = Thread.ofPlatform().name("bench-wake-pong").daemon(true).unstarted(() -> {
            long switches = ownSwitches();
            long start = threads.getCurrentThreadCpuTime();
            ready.set(1);
            for (int i = 0; i < rounds; i++) {
                while (turn.get() != 1) {
                    LockSupport.park();
                }
                turn.set(0);
                LockSupport.unpark(ping);
            }
            pongCpu.set(threads.getCurrentThreadCpuTime() - start);
            long after = ownSwitches();
            pongSwitches.set(switches < 0 || after < 0 ? -1 : after - switches);
        });
        pong.start();
        while (ready.get() == 0) {
            Thread.onSpinWait();
        }
        long pingSwitchesBefore = ownSwitches();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            turn.set(1);
            LockSupport.unpark(pong);
            while (turn.get() != 0) {
                LockSupport.park();
            }
        }
        long pingCpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long pingSwitchesAfter = ownSwitches();
        try {
            pong.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        long wall = System.nanoTime() - wallStart;
        int done = rounds * 2;
        long switches = pingSwitchesBefore < 0 || pingSwitchesAfter < 0 || pongSwitches
                .get() < 0 ? -1 : pingSwitchesAfter - pingSwitchesBefore + pongSwitches.get();
        return new Cost(done, (pingCpu + pongCpu.get()) / 1000.0 / done, wall / 1000.0 / done,
                switches);
    }

    /** The cost as a JSON object. */
    static tools.jackson.databind.node.ObjectNode json(Cost cost,
            tools.jackson.databind.json.JsonMapper mapper) {
        return mapper.createObjectNode().put("hand_offs", cost.handOffs()).put(
                "cpu_us_per_hand_off", cost.cpuMicros()).put("wall_us_per_hand_off",
                        cost
                                .wallMicros())
                .put("context_switches", cost.switches());
    }

    /** The line that prices the system's context switches per call at this machine's cost. */
    static String line(Cost cost, List<ProcessStats.Usage> usages, int calls) {
        StringBuilder out = new StringBuilder();
        if (cost == null) {
            return "one thread waking another: not measured (the JVM cannot time a thread's"
                    + " CPU)\n";
        }
        out.append(String.format(Locale.ROOT, "one thread waking another: %.1f µs of the"
                + " two threads' CPU per hand-off (%,d hand-offs between two threads now, %s)",
                cost.cpuMicros(),
                cost.handOffs(), cost.switches() < 0
                        ? "their context switches not counted"
                        : String.format(Locale.ROOT, "%.2f context switches each", (double) cost
                                .switches() / cost.handOffs())));
        StringBuilder priced = new StringBuilder();
        for (ProcessStats.Usage usage : usages) {
            if (usage.switches() >= 0) {
                double perCall = (double) usage.switches() / calls;
                priced.append(priced.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT,
                        "%s %.1f switches per call ≈ %.3f of its %.3f CPU ms", usage.name(),
                        perCall, cost.millisFor(perCall), usage.cpuMillis() / calls));
            }
        }
        if (!priced.isEmpty()) {
            out.append(": at that cost, ").append(priced);
        }
        return out.append('\n').toString();
    }

    /** The calling thread's context switches so far (/proc/thread-self), or -1 without it. */
    private static long ownSwitches() {
        try {
            return ProcessStats.switches(java.nio.file.Files.readAllLines(java.nio.file.Path.of(
                    "/proc/thread-self/status")));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
