package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code fullmesh}: one subflow for every pair of a local address (given) and a remote address (the
 * connection's and every address the peer announces). Client side only.
 */
public final class Fullmesh implements PmStrategy {
    private final List<InetAddress> locals;
    /** Pairs already requested per token, so a re-announcement does not duplicate subflows. */
    private final Map<Long, Set<List<Object>>> requested = new ConcurrentHashMap<>();

    public Fullmesh(List<InetAddress> localAddresses) {
        if (localAddresses.isEmpty()) {
            throw new IllegalArgumentException("fullmesh needs at least one local address");
        }
        this.locals = List.copyOf(localAddresses);
    }

    @Override
    public String name() {
        return "fullmesh" + locals;
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
    }

    private static List<InetSocketAddress> remotes(ConnectionState c, PmEvent.Established e) {
        List<InetSocketAddress> r = new ArrayList<>();
        r.add(new InetSocketAddress(e.endpoints().remote(), e.endpoints().remotePort()));
        if (c != null) {
            for (InetSocketAddress a : c.announced().values()) {
                r.add(a.getPort() != 0 ? a : new InetSocketAddress(a.getAddress(), e.endpoints().remotePort()));
            }
        }
        return r;
    }

    private void mesh(PmContext ctx, long token, List<InetSocketAddress> remotes) throws IOException {
        ConnectionState c = ctx.connection(token);
        Set<List<Object>> done = requested.computeIfAbsent(token, t -> ConcurrentHashMap.newKeySet());
        if (c != null) {
            done.add(List.of(c.local(), c.remote())); // the initial subflow
        }
        IOException failed = null;
        int failures = 0;
        for (InetAddress l : locals) {
            for (InetSocketAddress r : remotes) {
                if (l.getClass() != r.getAddress().getClass()) {
                    continue; // no IPv4 <-> IPv6 subflows
                }
                List<Object> pair = List.of(l, r.getAddress());
                if (!done.add(pair)) {
                    continue;
                }
                try {
                    ctx.pm().createSubflow(token, ctx.localId(token, l), l, r.getAddress(), r.getPort());
                } catch (IOException | RuntimeException e) {
                    done.remove(pair); // not created: a later event (announcement) tries it again
                    failures++;
                    String what = l.getHostAddress() + " -> " + r.getAddress().getHostAddress() + ":" + r.getPort();
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
