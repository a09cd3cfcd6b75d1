package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.pm.SubflowPolicy;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fullmesh}: one subflow for every pair of a local address (given) and a remote address (the
 * connection's and the addresses the peer announces). Client side only.
 *
 * <p>Bounded, because the peer chooses what it announces: a pair is opened only when the runner's
 * {@linkplain PmContext#pm() path manager} allows it ({@link SubflowPolicy}: with fail-closed secure
 * paths, only protected pairs) and, when a remote allowlist is given, only towards those remote
 * addresses; at most {@code maxSubflows} subflows are requested per connection (whether or not they
 * then come up, so the number of join SYNs stays bounded). Pairs left out for either reason are
 * counted in {@link #skipped()}, never sent.
 */
public final class Fullmesh implements PmStrategy {
    /** Subflows opened per connection by default (the kernel's own limit is 8 as well). */
    public static final int DEFAULT_MAX_SUBFLOWS = 8;
    private static final System.Logger LOG = System.getLogger(Fullmesh.class.getName());

    private final List<InetAddress> locals;
    private final Set<InetAddress> remotes;
    private final int maxSubflows;
    /** Pairs already requested per token, so a re-announcement does not duplicate subflows. */
    private final Map<Long, Set<List<Object>>> requested = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> opened = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();

    /** Fullmesh over {@code localAddresses}, towards any remote the runner allows, at most {@value #DEFAULT_MAX_SUBFLOWS} subflows. */
    public Fullmesh(List<InetAddress> localAddresses) {
        this(localAddresses, null, DEFAULT_MAX_SUBFLOWS);
    }

    /**
     * Fullmesh over {@code localAddresses}.
     *
     * @param remoteAllowlist the only remote addresses subflows may go to besides the connection's own
     *     remote address; {@code null} for any address the runner allows
     * @param maxSubflows subflows this strategy opens per connection at most, 1..8
     */
    public Fullmesh(List<InetAddress> localAddresses, Collection<InetAddress> remoteAllowlist, int maxSubflows) {
        if (localAddresses.isEmpty()) {
            throw new IllegalArgumentException("fullmesh needs at least one local address");
        }
        if (maxSubflows < 1 || maxSubflows > 8) {
            throw new IllegalArgumentException("fullmesh opens 1..8 subflows per connection (the kernel's subflow limit), got "
                    + maxSubflows);
        }
        this.locals = List.copyOf(localAddresses);
        this.remotes = remoteAllowlist == null ? null : Set.copyOf(remoteAllowlist);
        this.maxSubflows = maxSubflows;
    }

    @Override
    public String name() {
        return "fullmesh" + locals;
    }

    /** Pairs not opened because the runner does not allow them, the remote is not allowlisted, or the cap was reached. */
    public long skipped() {
        return skipped.get();
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        if (e.serverSide()) {
            return;
        }
        ConnectionState c = ctx.connection(e.token());
        mesh(ctx, e.token(), remotes(c, e));
    }

    @Override
    public void onAnnounced(PmContext ctx, PmEvent.Announced e) throws IOException {
        ConnectionState c = ctx.connection(e.token());
        if (c == null || c.serverSide() || !requested.containsKey(e.token())) {
            return; // not established yet: onEstablished will include it
        }
        int port = e.port() != 0 ? e.port() : c.remotePort();
        mesh(ctx, e.token(), List.of(new InetSocketAddress(e.address(), port)));
    }

    @Override
    public void onClosed(PmContext ctx, PmEvent.Closed e) {
        requested.remove(e.token());
        opened.remove(e.token());
    }

    private List<InetSocketAddress> remotes(ConnectionState c, PmEvent.Established e) {
        List<InetSocketAddress> r = new ArrayList<>();
        r.add(new InetSocketAddress(e.endpoints().remote(), e.endpoints().remotePort()));
        if (c != null) {
            for (InetSocketAddress a : c.announced().values()) {
                r.add(a.getPort() != 0 ? a : new InetSocketAddress(a.getAddress(), e.endpoints().remotePort()));
            }
        }
        return r;
    }

    private boolean allowlisted(ConnectionState c, InetAddress remote) {
        return remotes == null || remotes.contains(remote) || (c != null && remote.equals(c.remote()));
    }

    private void mesh(PmContext ctx, long token, List<InetSocketAddress> targets) throws IOException {
        ConnectionState c = ctx.connection(token);
        SubflowPolicy allowed = ctx.pm().subflowPolicy();
        Set<List<Object>> done = requested.computeIfAbsent(token, t -> ConcurrentHashMap.newKeySet());
        AtomicInteger count = opened.computeIfAbsent(token, t -> new AtomicInteger());
        if (c != null) {
            done.add(List.of(c.local(), c.remote())); // the initial subflow
        }
        IOException failed = null;
        int failures = 0;
        for (InetAddress l : locals) {
            for (InetSocketAddress r : targets) {
                if (l.getClass() != r.getAddress().getClass()) {
                    continue; // no IPv4 <-> IPv6 subflows
                }
                List<Object> pair = List.of(l, r.getAddress());
                if (done.contains(pair)) {
                    continue;
                }
                String what = l.getHostAddress() + " -> " + r.getAddress().getHostAddress() + ":" + r.getPort();
                if (!allowlisted(c, r.getAddress()) || !allowed.allows(l, r.getAddress())) {
                    done.add(pair); // never ask again for this connection
                    skipped.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "fullmesh: not opening " + what + ": the pair is not allowed ("
                            + allowed + (remotes == null ? "" : ", remote allowlist " + remotes) + ")");
                    continue;
                }
                if (count.get() >= maxSubflows) {
                    done.add(pair);
                    skipped.incrementAndGet();
                    LOG.log(System.Logger.Level.DEBUG, "fullmesh: not opening " + what + ": already " + count.get()
                            + " subflows opened for this connection (limit " + maxSubflows + ")");
                    continue;
                }
                done.add(pair);
                try {
                    ctx.pm().createSubflow(token, ctx.localId(token, l), l, r.getAddress(), r.getPort());
                    count.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    done.remove(pair); // not created: a later event (announcement) tries it again
                    failures++;
                    if (failed == null) {
                        failed = new IOException("fullmesh could not create the subflow " + what + ": " + e.getMessage(), e);
                    } else {
                        failed.addSuppressed(e);
                    }
                }
            }
        }
        if (failed != null) {
            if (failures > 1) {
                IOException all = new IOException(failures + " fullmesh subflows failed; first: " + failed.getMessage(), failed.getCause());
                for (Throwable t : failed.getSuppressed()) {
                    all.addSuppressed(t);
                }
                throw all;
            }
            throw failed;
        }
    }
}
