package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The runner's mutable view of one connection, built from its events; guarded by its own monitor. */
final class TrackedConnection {
    final long token;
    final boolean serverSide;
    final InetAddress local;
    final int localPort;
    final InetAddress remote;
    final int remotePort;
    final Map<Integer, InetSocketAddress> announced = new HashMap<>();
    final Set<ConnectionState.Subflow> subflows = new HashSet<>();

    TrackedConnection(long token, boolean serverSide, PmEvent.Endpoints ep) {
        this.token = token;
        this.serverSide = serverSide;
        this.local = ep.local();
        this.localPort = ep.localPort();
        this.remote = ep.remote();
        this.remotePort = ep.remotePort();
        subflows.add(new ConnectionState.Subflow(0, local, localPort, 0, remote, remotePort, false));
    }

    /** Updates the announced addresses and subflows from one of this connection's events. */
    synchronized void apply(PmEvent e) {
        if (e instanceof PmEvent.Announced a) {
            announced.put(a.remoteId(), new InetSocketAddress(a.address(), a.port()));
        } else if (e instanceof PmEvent.Removed r) {
            announced.remove(r.remoteId());
        } else if (e instanceof PmEvent.SubflowEstablished s) {
            subflows.add(subflow(s.localId(), s.remoteId(), s.endpoints(), s.backup()));
        } else if (e instanceof PmEvent.SubflowClosed s) {
            subflows.removeIf(x -> x.localPort() == s.endpoints().localPort() && x.local().equals(s.endpoints().local()));
        } else if (e instanceof PmEvent.SubflowPriority s) {
            subflows.removeIf(x -> x.localPort() == s.endpoints().localPort() && x.local().equals(s.endpoints().local()));
            subflows.add(subflow(s.localId(), s.remoteId(), s.endpoints(), s.backup()));
        }
    }

    private static ConnectionState.Subflow subflow(int loc, int rem, PmEvent.Endpoints ep, boolean backup) {
        return new ConnectionState.Subflow(loc, ep.local(), ep.localPort(), rem, ep.remote(), ep.remotePort(), backup);
    }

    synchronized ConnectionState snapshot() {
        return new ConnectionState(token, serverSide, local, localPort, remote, remotePort, announced, subflows);
    }
}
