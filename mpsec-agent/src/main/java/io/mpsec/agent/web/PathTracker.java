package io.mpsec.agent.web;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Per-second rates and the {@link PathStatus} of every interface of one namespace, from
 * {@link LinkSample}s taken every {@link #SAMPLE_MILLIS} ms (and at every rtnetlink link event).
 *
 * <p>The status rules, evaluated at every sample; loopback is never a path and is always {@code UP}:
 * <ul>
 *   <li><b>DOWN</b>: the interface is administratively down or has no carrier (IFF_UP and
 *       IFF_LOWER_UP, the kernel's own view). Link events trigger a sample at once, so this shows
 *       within milliseconds.</li>
 *   <li><b>SILENT</b>, a suspected blackhole: the interface is up, but (1) it received nothing for
 *       {@link #SILENCE_NANOS} (1 s: five times TCP's minimum
 *       retransmission timeout, so a busy path is silent that long only after repeated losses), (2) it received at least {@link #MIN_ACTIVE_PACKETS} packets in
 *       the {@link #ACTIVE_WINDOW_NANOS} (5 s) before it fell silent (it was carrying traffic), (3) it
 *       sent at least one packet after its last received one (this host keeps talking, e.g. TCP
 *       retransmissions, and hears no answer), and (4) another up path of the namespace received at
 *       least {@link #MIN_MOVING_PACKETS} packets in the last {@link #SILENCE_NANOS} (the network and the
 *       peer are alive). It stays SILENT until the interface receives again or goes down. With
 *       samples every 100 ms it shows at most 1.2 s after the last packet arrived.</li>
 *   <li><b>IDLE</b>: up, nothing received or sent for {@link #IDLE_NANOS} (3 s).</li>
 *   <li><b>UP</b> otherwise.</li>
 * </ul>
 *
 * <p>What it cannot see: a drop on the far side of this host's interface counters only. A host that
 * only receives on a path whose return direction is cut still counts incoming packets (the
 * retransmissions), so the path is silent only on the host that sends into it; watch the sending
 * host's namespace. When every path of a namespace goes quiet at once (a transfer ended, or the peer
 * died) nothing is SILENT: the dashboard cannot tell those apart, and shows IDLE.
 */
final class PathTracker {
    static final long SAMPLE_MILLIS = 100;
    static final long SILENCE_NANOS = 1_000_000_000L;
    static final long ACTIVE_WINDOW_NANOS = 5_000_000_000L;
    static final long IDLE_NANOS = 3_000_000_000L;
    static final long RATE_WINDOW_NANOS = 1_000_000_000L;
    static final long MIN_ACTIVE_PACKETS = 10;
    static final long MIN_MOVING_PACKETS = 3;
    private static final long HISTORY_NANOS = ACTIVE_WINDOW_NANOS + 1_000_000_000L;

    /** A status change, for the event log. */
    record Change(String iface, PathStatus from, PathStatus to, String reason) {
    }

    /** The tracked state of one interface. */
    record Tracked(LinkSample link, double rxRate, double txRate, PathStatus status, String reason, long sinceMillis) {
    }

    private record Point(long nanos, long rxBytes, long txBytes, long rxPackets, long txPackets) {
    }

    private static final class Track {
        final int index;
        final Deque<Point> history = new ArrayDeque<>();
        LinkSample last;
        long lastRxGrowth;
        long lastAnyGrowth;
        long rxBeforeSilence;
        long txAtLastRxGrowth;
        PathStatus status = PathStatus.UP;
        String reason = "";
        long sinceMillis;

        Track(int index, long nanos, long millis) {
            this.index = index;
            this.lastRxGrowth = nanos;
            this.lastAnyGrowth = nanos;
            this.sinceMillis = millis;
        }
    }

    private final Map<String, Track> tracks = new HashMap<>();

    /**
     * Takes one sample of every interface (all of the namespace's interfaces, from one dump) and returns
     * the status changes it caused.
     *
     * @param nanos a monotonic time ({@link System#nanoTime()})
     * @param epochMillis the wall clock, for {@link Tracked#sinceMillis()}
     */
    synchronized List<Change> update(long nanos, long epochMillis, List<LinkSample> links) {
        Map<String, LinkSample> now = new HashMap<>();
        for (LinkSample l : links) {
            now.put(l.name(), l);
        }
        tracks.keySet().removeIf(n -> !now.containsKey(n));
        for (LinkSample l : links) {
            Track t = tracks.get(l.name());
            if (t == null || t.index != l.index()) {
                t = new Track(l.index(), nanos, epochMillis);
                tracks.put(l.name(), t);
            }
            record(t, l, nanos);
        }
        List<Change> changes = new ArrayList<>();
        for (LinkSample l : links) {
            Track t = tracks.get(l.name());
            String[] why = new String[1];
            PathStatus s = decide(t, l, nanos, why);
            if (t.last == l && t.history.size() == 1) {
                t.status = s; // first sight: the state it is in, not a change
            } else if (s != t.status) {
                changes.add(new Change(l.name(), t.status, s, why[0]));
                t.status = s;
                t.sinceMillis = epochMillis;
            }
            t.reason = why[0];
        }
        return changes;
    }

    private static void record(Track t, LinkSample l, long nanos) {
        LinkSample p = t.last;
        if (p != null) {
            if (l.rxPackets() > p.rxPackets()) {
                Point before = at(t, nanos - ACTIVE_WINDOW_NANOS);
                t.rxBeforeSilence = l.rxPackets() - (before == null ? p.rxPackets() : before.rxPackets());
                t.lastRxGrowth = nanos;
                t.txAtLastRxGrowth = l.txPackets();
            }
            if (l.rxPackets() > p.rxPackets() || l.txPackets() > p.txPackets()) {
                t.lastAnyGrowth = nanos;
            }
        } else {
            t.txAtLastRxGrowth = l.txPackets();
        }
        t.last = l;
        t.history.addLast(new Point(nanos, l.rxBytes(), l.txBytes(), l.rxPackets(), l.txPackets()));
        while (t.history.size() > 2 && t.history.peekFirst().nanos() < nanos - HISTORY_NANOS) {
            t.history.removeFirst();
        }
    }

    /** The newest point at or before {@code nanos}, or {@code null} when the history is younger. */
    private static Point at(Track t, long nanos) {
        Point found = null;
        for (Iterator<Point> it = t.history.iterator(); it.hasNext();) {
            Point p = it.next();
            if (p.nanos() > nanos) {
                break;
            }
            found = p;
        }
        return found;
    }

    private PathStatus decide(Track t, LinkSample l, long nanos, String[] why) {
        if (!l.path()) {
            why[0] = "loopback";
            return PathStatus.UP;
        }
        if (!l.adminUp()) {
            why[0] = "link down (administratively)";
            return PathStatus.DOWN;
        }
        if (!l.carrier()) {
            why[0] = "no carrier";
            return PathStatus.DOWN;
        }
        long quiet = nanos - t.lastRxGrowth;
        boolean silentNow = quiet >= SILENCE_NANOS && l.txPackets() > t.txAtLastRxGrowth;
        if (t.status == PathStatus.SILENT && quiet > 0) {
            why[0] = t.reason;
            return PathStatus.SILENT;
        }
        if (silentNow && t.rxBeforeSilence >= MIN_ACTIVE_PACKETS) {
            String other = movingPath(l.name(), nanos);
            if (other != null) {
                why[0] = String.format("nothing received for %.1f s while sending, and %s still receives", quiet / 1e9, other);
                return PathStatus.SILENT;
            }
        }
        if (nanos - t.lastAnyGrowth >= IDLE_NANOS) {
            why[0] = "no traffic";
            return PathStatus.IDLE;
        }
        why[0] = "";
        return PathStatus.UP;
    }

    /** Another up path that received at least MIN_MOVING_PACKETS in the last SILENCE_NANOS, or {@code null}. */
    private String movingPath(String self, long nanos) {
        for (Map.Entry<String, Track> e : tracks.entrySet()) {
            Track o = e.getValue();
            if (e.getKey().equals(self) || o.last == null || !o.last.path() || !o.last.adminUp() || !o.last.carrier()) {
                continue;
            }
            Point then = at(o, nanos - SILENCE_NANOS);
            if (then != null && o.last.rxPackets() - then.rxPackets() >= MIN_MOVING_PACKETS) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Every interface with its rates over the last second, in index order. */
    synchronized List<Tracked> snapshot() {
        List<Tracked> out = new ArrayList<>();
        for (Track t : tracks.values()) {
            Point last = t.history.peekLast();
            Point then = at(t, last.nanos() - RATE_WINDOW_NANOS);
            if (then == null) {
                then = t.history.peekFirst();
            }
            double secs = (last.nanos() - then.nanos()) / 1e9;
            double rx = secs <= 0 ? 0 : Math.max(0, last.rxBytes() - then.rxBytes()) / secs;
            double tx = secs <= 0 ? 0 : Math.max(0, last.txBytes() - then.txBytes()) / secs;
            out.add(new Tracked(t.last, rx, tx, t.status, t.reason, t.sinceMillis));
        }
        out.sort((a, b) -> Integer.compare(a.link().index(), b.link().index()));
        return out;
    }
}
