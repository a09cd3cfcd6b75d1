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

    synchronized ConnectionState snapshot() {
        return new ConnectionState(token, serverSide, local, localPort, remote, remotePort, announced, subflows);
    }
}
