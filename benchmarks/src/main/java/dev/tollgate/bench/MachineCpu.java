package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The whole machine's CPU over a series, from the first line of Linux's {@code /proc/stat}: how
 * much of every CPU's time went to programs, the kernel, interrupts, waiting, and — on a virtual
 * machine — to other guests (steal). It says whether a slow run had the CPUs to itself: a series
 * that left them idle was not bound by CPU, and one with steal shared them with the host.
 */
final class MachineCpu {

    private MachineCpu() {
    }

    /**
     * Cumulative ticks of all CPUs: user (with nice), system, idle, iowait, irq + softirq, steal;
     * {@code cpus} counts the {@code cpuN} lines.
     */
    record Sample(long user, long system, long idle, long iowait, long interrupts, long steal,
            int cpus) {

        long total() {
            return user + system + idle + iowait + interrupts + steal;
        }
    }

    /** The shares between two samples (each 0..1), over {@code cpus} CPUs. */
    record Shares(double user, double system, double interrupts, double idle, double iowait,
            double steal, int cpus) {

        double busy() {
            return user + system + interrupts;
        }

        String line() {
            return String.format(Locale.ROOT, "the machine's %d CPUs over the series: busy %.0f%%"
                    + " (programs %.0f%%, kernel %.0f%%, interrupts %.0f%%), idle %.0f%%, waiting"
                    + " for I/O %.0f%%, stolen by the host %.1f%%%n", cpus, 100 * busy(),
                    100
                            * user,
                    100 * system, 100 * interrupts, 100 * idle, 100 * iowait, 100 * steal);
        }
    }

    /**
     * Reads the aggregate {@code cpu} line and counts the per-CPU ones of a {@code /proc/stat}
     * text; null when it has no aggregate line.
     */
    static Sample parse(String stat) {
        Sample sample = null;
        int cpus = 0;
        for (String line : stat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split(" +");
                // cpu user nice system idle iowait irq softirq steal [guest guest_nice]
                long[] v = new long[8];
                for (int i = 0; i < v.length && i + 1 < f.length; i++) {
                    v[i] = Long.parseLong(f[i + 1]);
                }
                sample = new Sample(v[0] + v[1], v[2], v[3], v[4], v[5] + v[6], v[7], 0);
            } else if (line.startsWith("cpu")) {
                cpus++;
            }
        }
        return sample == null
                ? null
                : new Sample(sample.user(), sample.system(), sample.idle(), sample.iowait(),
                        sample.interrupts(), sample.steal(), cpus);
    }

    /** The shares as a JSON object. */
    static tools.jackson.databind.node.ObjectNode json(Shares shares,
            tools.jackson.databind.json.JsonMapper mapper) {
        return mapper.createObjectNode().put("cpus", shares.cpus()).put("busy", shares.busy())
                .put("user", shares.user()).put("system", shares.system()).put("interrupts",
                        shares.interrupts())
                .put("idle", shares.idle()).put("iowait", shares.iowait()).put("steal", shares
                        .steal());
    }

    /** This machine now; null where there is no /proc/stat. */
    static Sample sample() {
        try {
            return parse(Files.readString(Path.of("/proc/stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The shares from {@code before} to {@code after}; null if either is missing or no time passed. */
    static Shares between(Sample before, Sample after) {
        if (before == null || after == null || after.total() <= before.total()) {
            return null;
        }
        double total = after.total() - before.total();
        return new Shares((after.user() - before.user()) / total, (after.system() - before
                .system()) / total, (after.interrupts() - before.interrupts()) / total,
                (after
                        .idle() - before.idle()) / total,
                (after.iowait() - before.iowait()) / total, (after.steal() - before.steal())
                        / total,
                after.cpus());
    }
}
