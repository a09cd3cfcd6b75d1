package io.mpsec.ipsec.paths;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;

/**
 * What {@link SecurePaths} does with the hints of a {@link GenerationWatch}: which learned
 * generations get inbound SAs (newer than the active one, at most {@value #MAX_PROBES} unverified at
 * a time), and which are dropped again because no authenticated traffic arrived on them within
 * {@value #PROBE_TTL_MILLIS} ms (a forged or stale hint). Not thread-safe: SecurePaths calls it under
 * its own lock.
 */
final class GenerationLearning implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GenerationLearning.class.getName());
    /** At most this many learned, not yet verified generations have inbound SAs at a time. */
    static final int MAX_PROBES = 8;
    /** A learned generation without authenticated traffic is removed after this long. */
    static final long PROBE_TTL_MILLIS = 60_000;
    /** Generations whose inbound SAs were installed because the watch saw them: generation -> when. */
    private final Map<Long, Long> probes = new TreeMap<>();
    private GenerationWatch watch;
    private volatile String unavailable;

    /** Starts watching ESP from {@code peers}; on failure records why (see {@link #unavailable()}). */
    void start(NetNamespace ns, List<InetAddress> peers, long threshold, int lookahead) {
        if (watch != null) {
            return;
        }
        try {
            watch = GenerationWatch.start(ns, peers, threshold);
        } catch (IOException e) {
            unavailable = "cannot learn the peer's key generation from its ESP packets: " + e.getMessage();
            LOG.log(System.Logger.Level.WARNING, unavailable + "; hosts whose generations differ by more than "
                    + lookahead + " will not meet until they are re-applied");
        }
    }

    /** Why learning does not work, or {@code null}. */
    String unavailable() {
        return unavailable;
    }

    /** Learned generations above {@code active} that are not installed yet; recorded as unverified at {@code now}. */
    List<Long> unverified(long active, LongPredicate installed, long now) {
        List<Long> out = new ArrayList<>();
        if (watch == null) {
            return out;
        }
        if (watch.failure() != null && unavailable == null) {
            unavailable = "the ESP generation watch stopped: " + watch.failure().getMessage();
            LOG.log(System.Logger.Level.WARNING, unavailable);
        }
        for (long g : watch.recent()) {
            if (g > active && g <= SecurePaths.MAX_GENERATION && !installed.test(g) && probes.size() < MAX_PROBES) {
                probes.put(g, now);
                out.add(g);
            }
        }
        return out;
    }

    /**
     * Unverified generations to retire: above {@code kept} (the active one plus the look-ahead window,
     * which stay anyway) and without authenticated traffic for {@value #PROBE_TTL_MILLIS} ms.
     */
    List<Long> expired(long kept, LongPredicate hadTraffic, long now) {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Long, Long> e : new ArrayList<>(probes.entrySet())) {
            long g = e.getKey();
            if (g <= kept) {
                probes.remove(g);
            } else if (!hadTraffic.test(g) && now - e.getValue() >= PROBE_TTL_MILLIS) {
                probes.remove(g);
                out.add(g);
            }
        }
        return out;
    }

    /** Only generations above {@code generation} are of interest from now on. */
    void above(long generation) {
        if (watch != null) {
            watch.above(generation);
        }
    }

    @Override
    public void close() {
        GenerationWatch w = watch;
        watch = null;
        if (w != null) {
            w.close();
        }
    }
}
