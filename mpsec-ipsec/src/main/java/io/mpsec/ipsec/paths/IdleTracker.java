package io.mpsec.ipsec.paths;

import java.util.HashMap;
import java.util.Map;

/**
 * When each key generation's inbound SAs last carried bytes, and when the generation stopped being
 * the active one: the basis on which {@link SecurePaths#maintain} retires old generations only once
 * the peer has stopped sending on them.
 */
final class IdleTracker {
    /** generation -> {inbound bytes last seen, time they were last seen to change}. */
    private final Map<Long, long[]> inboundSeen = new HashMap<>();
    private final Map<Long, Long> deactivatedAt = new HashMap<>();

    /** Records {@code generation}'s inbound byte count as read at {@code now}. */
    void observe(long generation, long bytes, long now) {
        long[] seen = inboundSeen.get(generation);
        if (seen == null || seen[0] != bytes) {
            inboundSeen.put(generation, new long[] {bytes, now});
        }
    }

    /** Notes that {@code generation} stopped being the active one at {@code now}. */
    void deactivated(long generation, long now) {
        deactivatedAt.put(generation, now);
    }

    /**
     * For a generation that is no longer active: whether it may be retired, that is nothing of it is
     * left in the kernel, or its inbound bytes have not moved for {@code graceMillis} since it was
     * deactivated. Without a noted deactivation, the first call notes it.
     */
    boolean retirable(long generation, boolean anyLeft, long now, long graceMillis) {
        Long since = deactivatedAt.get(generation);
        if (since == null) {
            deactivatedAt.put(generation, now);
            return false;
        }
        long[] seen = inboundSeen.get(generation);
        long idleSince = Math.max(seen != null ? seen[1] : since, since);
        return !anyLeft || now - idleSince >= graceMillis;
    }

    void forget(long generation) {
        inboundSeen.remove(generation);
        deactivatedAt.remove(generation);
    }
}
