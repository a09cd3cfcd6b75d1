package io.mpsec.ipsec.paths;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The inbound traffic of each key generation, as seen by {@link SecurePaths#maintain}: when its
 * inbound SAs first carried bytes and when their byte count last changed. It decides when an old
 * generation may be retired: only once the peer has demonstrably moved on, that is traffic arrived
 * on a NEWER generation, and the old one then stayed idle for the grace period; or when the kernel
 * already removed its SAs (hard expiry). Two idle hosts therefore never retire the generation the
 * peer will speak on next: idleness alone proves nothing.
 */
final class IdleTracker {
    /** generation -> {inbound bytes last seen, time they were last seen to change}. */
    private final Map<Long, long[]> lastChange = new HashMap<>();
    /** generation -> time its inbound SAs were first seen with bytes. */
    private final TreeMap<Long, Long> firstTraffic = new TreeMap<>();

    /** Records {@code generation}'s inbound byte count as read at {@code now}. */
    void observe(long generation, long bytes, long now) {
        long[] seen = lastChange.get(generation);
        if (seen == null || seen[0] != bytes) {
            lastChange.put(generation, new long[] {bytes, now});
        }
        if (bytes > 0) {
            firstTraffic.putIfAbsent(generation, now);
        }
    }

    /** Whether {@code generation}'s inbound SAs have carried any bytes. */
    boolean hadTraffic(long generation) {
        return firstTraffic.containsKey(generation);
    }

    /** The earliest time any generation newer than {@code generation} carried inbound bytes, or {@code null}. */
    Long newerTrafficSince(long generation) {
        Long t = null;
        for (Map.Entry<Long, Long> e : firstTraffic.tailMap(generation, false).entrySet()) {
            t = t == null ? e.getValue() : Math.min(t, e.getValue());
        }
        return t;
    }

    /**
     * Whether a generation that is not the active one may be retired: nothing of it is left in the
     * kernel, or traffic arrived on a newer generation and this one's inbound bytes have not moved
     * for {@code graceMillis} since then.
     */
    boolean retirable(long generation, boolean anyLeft, long now, long graceMillis) {
        if (!anyLeft) {
            return true;
        }
        Long newer = newerTrafficSince(generation);
        if (newer == null) {
            return false;
        }
        long[] seen = lastChange.get(generation);
        long idleSince = Math.max(seen != null ? seen[1] : newer, newer);
        return now - idleSince >= graceMillis;
    }

    void forget(long generation) {
        lastChange.remove(generation);
        firstTraffic.remove(generation);
    }
}
