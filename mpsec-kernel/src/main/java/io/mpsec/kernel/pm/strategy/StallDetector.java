package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.diag.SubflowProgress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells, from successive {@link SubflowProgress} readings, which subflows stopped delivering: a path
 * that silently drops everything (a blackhole) sends no link event, only silence. A subflow is
 * <em>stalled</em> when
 * <ul>
 * <li>its retransmission timer fired and nothing was acknowledged since ({@code tcpi_retransmits >= 1}
 * with data in flight), or</li>
 * <li>it has had data in flight and no newly acknowledged byte for at least the threshold, and no ACK
 * of any kind (not even a duplicate) for as long: the threshold is {@code max(minStallMillis, 3 x
 * smoothed RTT)}.</li>
 * </ul>
 * The second rule answers before the first retransmission timeout (200 ms at least), which matters:
 * at that timeout the kernel itself starts moving the data to other subflows and may pick one on the
 * same dead path. Its clock starts at the reading that first saw the subflow without progress, so a
 * sender that starts again after an idle period (whose last ACK is old) is not taken for stalled.
 * Not thread-safe: used from the serialised strategy callbacks.
 */
final class StallDetector {
    private record Key(InetSocketAddress local, InetSocketAddress remote) {
    }

    private static final class Track {
        long acked;
        long sinceNanos;
    }

    private final long minStallMillis;
    private final Map<Key, Track> tracks = new HashMap<>();

    StallDetector(long minStallMillis) {
        if (minStallMillis <= 0) {
            throw new IllegalArgumentException("minimum stall must be positive, not " + minStallMillis + " ms");
        }
        this.minStallMillis = minStallMillis;
    }

    /**
     * Updates the tracks of the subflows in {@code watched} (local, remote) from {@code readings} taken
     * at {@code nowNanos} and returns the watched subflows that are stalled (local address) with what
     * showed it; forgets the others.
     */
    Map<InetSocketAddress, String> stalled(Set<Map.Entry<InetSocketAddress, InetSocketAddress>> watched, List<SubflowProgress> readings,
            long nowNanos) {
        Map<Key, SubflowProgress> byKey = new HashMap<>();
        for (SubflowProgress p : readings) {
            byKey.put(new Key(p.local(), p.remote()), p);
        }
        Set<Key> keep = new HashSet<>();
        Map<InetSocketAddress, String> out = new HashMap<>();
        for (Map.Entry<InetSocketAddress, InetSocketAddress> w : watched) {
            Key k = new Key(w.getKey(), w.getValue());
            SubflowProgress p = byKey.get(k);
            if (p == null) {
                continue;
            }
            keep.add(k);
            Track t = tracks.get(k);
            if (t == null || p.unacked() <= 0 || p.bytesAcked() != t.acked) {
                t = t == null ? new Track() : t;
                t.acked = p.bytesAcked();
                t.sinceNanos = nowNanos;
                tracks.put(k, t);
                continue;
            }
            long stalledMillis = (nowNanos - t.sinceNanos) / 1_000_000;
            long threshold = Math.max(minStallMillis, 3 * Math.max(0, p.rttMicros()) / 1000);
            if (p.timeouts() >= 1 || stalledMillis >= threshold && p.lastAckMillis() >= threshold) {
                out.put(w.getKey(), String.format("%d retransmission timeouts, last ACK %d ms ago, no progress for %d ms of "
                        + "threshold %d ms, RTT %.1f ms, %d segments in flight", p.timeouts(), p.lastAckMillis(), stalledMillis,
                        threshold, p.rttMicros() / 1000.0, p.unacked()));
            }
        }
        tracks.keySet().retainAll(keep);
        return out;
    }
}
