package io.mpsec.kernel.pm.strategy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * What the runner knows about one MPTCP connection, from its events: the initial four-tuple, the
 * addresses the peer announced (by remote id) and the subflows currently established.
 */
public record ConnectionState(long token, boolean serverSide, InetAddress local, int localPort, InetAddress remote,
        int remotePort, Map<Integer, InetSocketAddress> announced, Set<Subflow> subflows) {
    public ConnectionState {
        announced = Map.copyOf(announced);
        subflows = Set.copyOf(subflows);
    }

    /** One subflow's four-tuple and ids. */
    public record Subflow(int localId, InetAddress local, int localPort, int remoteId, InetAddress remote, int remotePort,
            boolean backup) {
        /** Whether this subflow runs between these two addresses (ports ignored). */
        public boolean between(InetAddress l, InetAddress r) {
            return local.equals(l) && remote.equals(r);
        }
    }

    /** The number of established subflows, the initial one included. */
    public int subflowCount() {
        return subflows.size();
    }
}
