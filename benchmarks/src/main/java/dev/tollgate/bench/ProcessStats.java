package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one process costs, from Linux's {@code /proc}: peak RSS ({@code VmHWM}), RSS, CPU time
 * (user + system) of the process and of each of its threads, and each thread's context switches
 * (voluntary and involuntary), sampled right before and right after the measured gateway series.
 * Where there is no {@code /proc} nothing is measured (empty samples), and the tables say so.
 */
final class ProcessStats {

    /** Linux's USER_HZ: the unit of utime and stime in {@code /proc/<pid>/stat}. */
    static final long TICKS_PER_SECOND = 100;

    private ProcessStats() {
    }

    /** A process to measure, by the name the tables give it. */
    record Measured(String name, long pid) {
    }

    /** One thread's CPU and context switches so far (-1 switches: not counted). */
    record ThreadSample(String comm, long ticks, long switches) {

        ThreadSample(String comm, long ticks) {
            this(comm, ticks, -1);
        }
    }

    /** One process at one moment. */
    record Sample(long ticks, long rssKib, Map<Long, ThreadSample> threads) {
    }

    /**
     * The cost of one process over the measured series: CPU in ms in all and per component (see
     * {@link ThreadComponents}), its RSS, and the context switches of its threads in all and per
     * component.
     *
     * @param exitedMillis CPU of threads that ended during the series (the process counts it,
     *     no thread is left to say whose it was)
     * @param switches the context switches of the threads alive at the end (a thread that ended
     *     takes its count with it); -1 where they could not be counted
     */
    record Usage(String name, long pid, long peakRssKib, long rssBeforeKib, long rssAfterKib,
            double cpuMillis, Map<String, Double> componentMillis, double exitedMillis,
            long switches, Map<String, Long> componentSwitches) {

        /** A usage whose context switches were not counted. */
        Usage(String name, long pid, long peakRssKib, long rssBeforeKib, long rssAfterKib,
                double cpuMillis, Map<String, Double> componentMillis, double exitedMillis) {
            this(name, pid, peakRssKib, rssBeforeKib, rssAfterKib, cpuMillis, componentMillis,
                    exitedMillis, -1, Map.of());
        }

        double perCall(double millis, int calls) {
            return millis / calls;
        }
    }

    /** A sample of {@code pid} now, or empty where /proc or the process is not there. */
    static Optional<Sample> sample(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long ticks = ticks(Files.readString(proc.resolve("stat")));
            long rss = statusField(Files.readAllLines(proc.resolve("status")), "VmRSS");
            Map<Long, ThreadSample> threads = new LinkedHashMap<>();
            try (var tasks = Files.list(proc.resolve("task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        threads.put(Long.parseLong(task.getFileName().toString()),
                                new ThreadSample(Files.readString(task.resolve("comm")).strip(),
                                        ticks(Files.readString(task.resolve("stat"))), switches(
                                                Files.readAllLines(task.resolve("status")))));
                    } catch (IOException | NumberFormatException gone) {
                        // the thread ended while we read: its time stays in the process's
                    }
                }
            }
            return Optional.of(new Sample(ticks, rss, threads));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * What every process in a list has used so far, together: CPU ticks (of the process, its
     * ended threads included) and the context switches of its threads alive now; -1 for either
     * when a process cannot be read (no /proc here, or it has ended), and for the switches when a
     * thread's were not counted.
     */
    record Totals(long ticks, long switches) {
    }

    /** The {@link Totals} of {@code processes}, each read once. */
    static Totals totals(List<Measured> processes) {
        long ticks = 0;
        long switches = 0;
        for (Measured process : processes) {
            Optional<Sample> sample = sample(process.pid());
            if (sample.isEmpty()) {
                return new Totals(-1, -1);
            }
            ticks += sample.get().ticks();
            for (ThreadSample thread : sample.get().threads().values()) {
                switches = switches < 0 || thread.switches() < 0
                        ? -1
                        : switches + thread
                                .switches();
            }
        }
        return new Totals(ticks, switches);
    }

    /**
     * {@code voluntary_ctxt_switches} plus {@code nonvoluntary_ctxt_switches} from a thread's
     * {@code status} lines, or -1 when either is missing.
     */
    static long switches(List<String> status) {
        long voluntary = -1;
        long involuntary = -1;
        for (String line : status) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return voluntary < 0 || involuntary < 0 ? -1 : voluntary + involuntary;
    }

    /** {@code VmHWM} of {@code pid} in KiB (0 where there is no /proc). */
    static long peakRssKib(long pid) {
        try {
            return statusField(Files.readAllLines(Path.of("/proc", Long.toString(pid),
                    "status")), "VmHWM");
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * utime + stime from a {@code stat} line. The second field, the thread name in parentheses,
     * may itself hold spaces and parentheses: the fields are counted after the last ')'.
     */
    static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        // fields[0] is field 3 (state); utime is field 14, stime field 15
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** A {@code /proc/<pid>/status} figure in KiB (0 when absent). */
    static long statusField(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "")
                        .trim());
            }
        }
        return 0;
    }

    /**
     * The cost between two samples. A thread counts for the CPU it used after {@code before} (all of
     * it if it was born since); what threads that ended in between used is only in the process's
     * total, reported as {@code exitedMillis}.
     */
    static Usage usage(String name, long pid, Sample before, Sample after, long peakRssKib) {
        Map<String, Double> components = new LinkedHashMap<>();
        Map<String, Long> componentSwitches = new LinkedHashMap<>();
        ThreadComponents.ALL.forEach(component -> {
            components.put(component, 0.0);
            componentSwitches.put(component, 0L);
        });
        long threadTicks = 0;
        long switches = 0;
        for (var entry : after.threads().entrySet()) {
            ThreadSample now = entry.getValue();
            ThreadSample earlier = before.threads().get(entry.getKey());
            long used = now.ticks() - (earlier == null ? 0 : earlier.ticks());
            threadTicks += used;
            String component = ThreadComponents.of(now.comm());
            components.merge(component, millis(used), Double::sum);
            if (switches >= 0 && now.switches() >= 0 && (earlier == null || earlier
                    .switches() >= 0)) {
                long switched = now.switches() - (earlier == null ? 0 : earlier.switches());
                switches += switched;
                componentSwitches.merge(component, switched, Long::sum);
            } else {
                switches = -1;
            }
        }
        long total = after.ticks() - before.ticks();
        return new Usage(name, pid, peakRssKib, before.rssKib(), after.rssKib(), millis(total),
                components, millis(Math.max(0, total - threadTicks)), switches, switches < 0
                        ? Map.of()
                        : componentSwitches);
    }

    /** Samples every process; a process that cannot be read has no entry. */
    static Map<Measured, Sample> sampleAll(List<Measured> processes) {
        Map<Measured, Sample> samples = new LinkedHashMap<>();
        for (Measured process : processes) {
            sample(process.pid()).ifPresent(sample -> samples.put(process, sample));
        }
        return samples;
    }

    /** The usage of every process sampled both times (empty where /proc is not there). */
    static List<Usage> usages(List<Measured> processes, Map<Measured, Sample> before,
            Map<Measured, Sample> after) {
        List<Usage> usages = new ArrayList<>();
        for (Measured process : processes) {
            Sample first = before.get(process);
            Sample last = after.get(process);
            if (first != null && last != null) {
                usages.add(usage(process.name(), process.pid(), first, last, peakRssKib(process
                        .pid())));
            }
        }
        return usages;
    }

    /** The resources table: one row per process, then its components, in CPU ms per call. */
    static String table(List<Usage> usages, int calls) {
        if (usages.isEmpty()) {
            return "resources per process: not measured (no /proc here)\n";
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "resources per process (CPU over the %d measured gateway calls; peak RSS ="
                        + " VmHWM over the process's life):%n",
                calls));
        out.append(String.format(Locale.ROOT, "%-36s %8s %9s %15s %9s %12s%n", "process", "pid",
                "peak RSS", "RSS before/after", "CPU ms", "CPU ms/call"));
        double totalCpu = 0;
        long totalPeak = 0;
        for (Usage usage : usages) {
            totalCpu += usage.cpuMillis();
            totalPeak += usage.peakRssKib();
            out.append(String.format(Locale.ROOT, "%-36s %8d %5d MiB %6d/%4d MiB %9.0f %12.3f%n",
                    usage.name(), usage.pid(), usage.peakRssKib() / 1024, usage.rssBeforeKib()
                            / 1024,
                    usage.rssAfterKib() / 1024, usage.cpuMillis(), usage.cpuMillis() / calls));
            StringBuilder parts = new StringBuilder();
            usage.componentMillis().forEach((component, millis) -> {
                if (millis > 0) {
                    parts.append(parts.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                            "%s %.3f", component, millis / calls));
                }
            });
            if (usage.exitedMillis() > 0) {
                parts.append(parts.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                        "exited threads %.3f", usage.exitedMillis() / calls));
            }
            out.append("    CPU ms/call by component: ").append(parts.isEmpty()
                    ? "none"
                    : parts).append('\n');
            if (usage.switches() >= 0) {
                StringBuilder switched = new StringBuilder();
                usage.componentSwitches().forEach((component, count) -> {
                    if (count > 0) {
                        switched.append(switched.isEmpty() ? "" : ", ").append(String.format(
                                Locale.ROOT, "%s %.2f", component, (double) count / calls));
                    }
                });
                out.append(String.format(Locale.ROOT, "    context switches/call: %.2f%s%n",
                        (double) usage.switches() / calls, switched.isEmpty()
                                ? ""
                                : " (" + switched + ")"));
            }
        }
        if (usages.size() > 1) {
            out.append(String.format(Locale.ROOT, "%-36s %8s %5d MiB %15s %9.0f %12.3f%n",
                    "all processes (peaks summed)", "", totalPeak / 1024, "", totalCpu, totalCpu
                            / calls));
        }
        out.append("    (components by thread name; " + ThreadComponents.CARRIERS
                + " = the virtual-thread carriers, shared by whatever runs on virtual threads in"
                + " that process)\n");
        return out.toString();
    }

    /** CPU ms of {@code ticks}. */
    static double millis(long ticks) {
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }
}
