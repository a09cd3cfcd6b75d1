package io.mpsec.ipsec.inspect;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The verdict per interface over a sliding window: feed it every read of {@link PeerTrafficCounters}
 * ({@link #add}); {@link #moved()} is what the counters moved between the newest read and the read
 * one window before it, and {@link #verdicts()} its verdict per interface: ESP when only ESP moved
 * between the peers, CLEARTEXT when anything moved in clear, UNKNOWN when nothing moved (or before
 * a second read). Pure; thread-safe.
 */
public final class TrafficWindow {
    private record Read(long nanos, Map<String, InterfaceTraffic> traffic) {
    }

    private final long windowNanos;
    private final Deque<Read> reads = new ArrayDeque<>();

    /** A window of {@code window} (at least 1 ms). */
    public TrafficWindow(Duration window) {
        if (window.toMillis() < 1) {
            throw new IllegalArgumentException("verdict window " + window + " is too short; give at least 1 ms (e.g. 10 s)");
        }
        this.windowNanos = window.toNanos();
    }

    /** Records a read made at {@code nanos} ({@link System#nanoTime()}); reads older than the window are dropped. */
    public synchronized void add(long nanos, Map<String, InterfaceTraffic> traffic) {
        reads.addLast(new Read(nanos, Map.copyOf(traffic)));
        // keep the newest read that is at least one window old: the base of the difference
        while (reads.size() > 2) {
            Read second = secondOldest();
            if (nanos - second.nanos >= windowNanos) {
                reads.removeFirst();
            } else {
                break;
            }
        }
    }

    private Read secondOldest() {
        var it = reads.iterator();
        it.next();
        return it.next();
    }

    /** What moved per interface between the base read (about one window back) and the newest; empty before two reads. */
    public synchronized Map<String, InterfaceTraffic> moved() {
        Map<String, InterfaceTraffic> out = new LinkedHashMap<>();
        if (reads.size() < 2) {
            return out;
        }
        Map<String, InterfaceTraffic> base = reads.peekFirst().traffic();
        reads.peekLast().traffic().forEach((iface, now) -> {
            InterfaceTraffic before = base.get(iface);
            out.put(iface, before == null ? now : now.since(before));
        });
        return out;
    }

    /** The verdict per interface over the window (UNKNOWN for every interface before two reads). */
    public synchronized Map<String, TrafficVerdict> verdicts() {
        Map<String, TrafficVerdict> out = new LinkedHashMap<>();
        if (reads.size() < 2) {
            if (!reads.isEmpty()) {
                reads.peekLast().traffic().keySet().forEach(i -> out.put(i, TrafficVerdict.UNKNOWN));
            }
            return out;
        }
        moved().forEach((iface, t) -> out.put(iface, t.verdict()));
        return out;
    }
}
