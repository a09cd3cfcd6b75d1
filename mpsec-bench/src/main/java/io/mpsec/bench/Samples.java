package io.mpsec.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Progress of one transfer as seen by one process: every ~100 ms the time, the bytes moved so far and
 * the whole process's CPU time (user + system). The steady-state window skips the start (connection
 * set-up, slow start, JIT) and ends at the last sample.
 */
public final class Samples {
    private final List<long[]> rows = new ArrayList<>();

    /** Adds a sample: monotonic time, bytes so far, process CPU (user + system) and user CPU so far (ns). */
    public void add(long timeNanos, long bytes, long cpuNanos, long userCpuNanos) {
        rows.add(new long[] {timeNanos, bytes, cpuNanos, userCpuNanos});
    }

    /** Adds a sample with the process's CPU times read now ({@code getrusage}). */
    public void addNow(long timeNanos, long bytes) throws java.io.IOException {
        long[] cpu = io.mpsec.kernel.ffi.Syscalls.processCpuTimes();
        add(timeNanos, bytes, cpu[0] + cpu[1], cpu[0]);
    }

    /** Prints the samples as the C peer does ({@code SAMPLE <ns> <bytes> <cpu ns> <user cpu ns>}, see {@link PeerResult#parse}). */
    /** How often the peers sample their byte count while they stream. */
    static final long PERIOD_NANOS = 100_000_000L;

    /**
     * Writes {@code buf} over and over to {@code out} for {@code seconds}, sampling every
     * {@link #PERIOD_NANOS}; gives up at 600 ms when fewer than {@code minBytes} went out (the stall
     * mode) and returns true then.
     */
    public boolean writeFor(java.io.OutputStream out, byte[] buf, double seconds, long minBytes) throws java.io.IOException {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long check = start + 600_000_000L;
        long next = start + PERIOD_NANOS;
        long bytes = 0;
        addNow(start, 0);
        while (true) {
            out.write(buf);
            bytes += buf.length;
            long t = System.nanoTime();
            if (t >= next) {
                addNow(t, bytes);
                next += PERIOD_NANOS;
            }
            if (t >= end) {
                return false;
            }
            if (check != 0 && t >= check) {
                if (bytes < minBytes) {
                    addNow(t, bytes);
                    return true;
                }
                check = 0;
            }
        }
    }

    /** Reads {@code in} to its end through {@code buf}, sampling every {@link #PERIOD_NANOS}; returns the bytes read. */
    public long readAll(java.io.InputStream in, byte[] buf) throws java.io.IOException {
        long bytes = 0;
        long next = 0;
        while (true) {
            int n = in.read(buf);
            long t = System.nanoTime();
            if (next == 0) {
                addNow(t, 0);
                next = t + PERIOD_NANOS;
            }
            if (n < 0) {
                addNow(t, bytes);
                return bytes;
            }
            bytes += n;
            if (t >= next) {
                addNow(t, bytes);
                next += PERIOD_NANOS;
            }
        }
    }

    public void print(java.io.PrintStream out) {
        for (long[] r : rows) {
            out.println("SAMPLE " + r[0] + " " + r[1] + " " + r[2] + " " + r[3]);
        }
    }

    public int size() {
        return rows.size();
    }

    /** The window from {@code skipSeconds} after the first sample to the last one. */
    public Window steady(double skipSeconds) {
        if (rows.size() < 2) {
            return new Window(0, 0, 0, 0, 0);
        }
        long start = rows.get(0)[0] + (long) (skipSeconds * 1e9);
        long[] a = rows.stream().filter(r -> r[0] >= start).findFirst().orElse(rows.get(rows.size() - 1));
        long[] b = rows.get(rows.size() - 1);
        int stalls = 0;
        long[] prev = null;
        for (long[] r : rows) {
            if (prev != null && r[0] > a[0] && r[1] == prev[1] && r[0] - prev[0] >= 50_000_000L) {
                stalls++;
            }
            prev = r;
        }
        return new Window(b[1] - a[1], (b[0] - a[0]) / 1e9, (b[2] - a[2]) / 1e9, (b[3] - a[3]) / 1e9, stalls);
    }

    /**
     * Bytes, seconds, process CPU seconds (user + system) and user CPU seconds of a steady-state
     * window; {@code stalls} counts sample intervals without any progress (the kernel's ~200 ms stalls).
     */
    public record Window(long bytes, double seconds, double cpuSeconds, double userCpuSeconds, int stalls) {
        public double gbitPerSecond() {
            return seconds > 0 ? bytes * 8 / seconds / 1e9 : 0;
        }

        /** Gbit moved per CPU-second of the whole process: the efficiency compared across peers. */
        public double gbitPerCpuSecond() {
            return cpuSeconds > 0 ? bytes * 8 / cpuSeconds / 1e9 : 0;
        }

        /** User-space CPU milliseconds per GB moved: the part of the cost the program itself controls. */
        public double userMillisPerGigabyte() {
            return bytes > 0 ? userCpuSeconds * 1e3 / (bytes / 1e9) : 0;
        }

        @Override
        public String toString() {
            return String.format("%.2f Gbit/s, %.2f Gbit per CPU-second (%.3f CPU-s in %.2f s; user %.1f ms/GB)%s",
                    gbitPerSecond(), gbitPerCpuSecond(), cpuSeconds, seconds, userMillisPerGigabyte(),
                    stalls > 0 ? ", " + stalls + " stalled intervals" : "");
        }
    }
}
