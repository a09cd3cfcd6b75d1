package io.mpsec.ipsec.xfrm;

/**
 * Counters of an installed SA, from the kernel's {@code xfrm_lifetime_cur} and {@code xfrm_stats}.
 *
 * @param bytes bytes protected (outbound) or verified (inbound)
 * @param packets packets
 * @param replayDrops packets dropped as replays
 * @param integrityFailures packets that failed the integrity check
 * @param replayWindowDrops packets outside the replay window
 * @param addTime when the SA was installed (seconds since the epoch)
 * @param useTime when the SA was first used, 0 if never
 */
public record SaCounters(long bytes, long packets, long replayDrops, long integrityFailures, long replayWindowDrops,
        long addTime, long useTime) {
}
