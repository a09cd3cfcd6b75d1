package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for {@link SecurePaths} (pure logic): one pair 198.18.1.1 -> 198.18.1.2, one outbound and
 * one inbound SA per generation, failures queued by the test, every call recorded with its (fake) time.
 */
final class FakeTarget implements RekeyTarget {
    static final InetAddress LOCAL = ip("198.18.1.1");
    static final InetAddress REMOTE = ip("198.18.1.2");
    private final RekeyTime time;
    private final Lifetime lifetime;
    private final Map<Long, List<PathSa>> sas = new TreeMap<>();
    private long active = 1;
    /** Times of rekeyOutbound() and maintain() calls, successful or not. */
    final List<Long> rekeyCalls = new CopyOnWriteArrayList<>();
    final List<Long> maintainCalls = new CopyOnWriteArrayList<>();
    /** Thrown by the next calls (IOException or RuntimeException), in order. */
    final Queue<Exception> rekeyFailures = new ConcurrentLinkedQueue<>();
    final Queue<Exception> maintainFailures = new ConcurrentLinkedQueue<>();
    /** When set, every activeGeneration() call throws it. */
    volatile RuntimeException generationFailure;
    /** When set, the next maintain() throws it (once). */
    volatile Error maintainError;
    /** When > 0, maintain() moves to this generation (the peer moved ahead). */
    volatile long peerGeneration;

    FakeTarget(RekeyTime time, Lifetime lifetime) {
        this.time = time;
        this.lifetime = lifetime;
        sas.put(1L, generation(1));
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private List<PathSa> generation(long g) {
        List<PathSa> l = new ArrayList<>();
        l.add(new PathSa(g, sa(LOCAL, REMOTE, 0x1000 + g), true));
        l.add(new PathSa(g, sa(REMOTE, LOCAL, 0x2000 + g), false));
        return l;
    }

    private SecurityAssociation sa(InetAddress src, InetAddress dst, long spi) {
        return SecurityAssociation.builder().source(src).destination(dst).spi(spi).reqid(SecurePaths.reqid(spi & 0xff))
                .algorithm(SaAlgorithm.aesGcm(SecretBytes.wrap(new byte[36]))).lifetime(lifetime).build();
    }

    /** The active generation's outbound SA. */
    synchronized SecurityAssociation activeOutbound() {
        return sas.get(active).stream().filter(PathSa::outbound).findFirst().orElseThrow().sa();
    }

    @Override
    public synchronized long activeGeneration() {
        RuntimeException f = generationFailure;
        if (f != null) {
            throw f;
        }
        return active;
    }

    @Override
    public synchronized Map<Long, List<PathSa>> installedSas() {
        return new TreeMap<>(sas);
    }

    @Override
    public synchronized long rekeyOutbound() throws IOException {
        rekeyCalls.add(time.millis());
        throwNext(rekeyFailures);
        move(active + 1);
        return active;
    }

    @Override
    public synchronized long maintain(long graceMillis) throws IOException {
        maintainCalls.add(time.millis());
        Error err = maintainError;
        if (err != null) {
            maintainError = null;
            throw err;
        }
        throwNext(maintainFailures);
        if (peerGeneration > active) {
            move(peerGeneration);
        }
        return active;
    }

    private void move(long g) {
        active = g;
        sas.put(g, generation(g));
    }

    @Override
    public List<InetAddress[]> pairs() {
        return List.<InetAddress[]>of(new InetAddress[] {LOCAL, REMOTE});
    }

    private static void throwNext(Queue<Exception> q) throws IOException {
        Exception e = q.poll();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
    }
}
