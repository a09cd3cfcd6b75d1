package io.mpsec.pm;

import java.net.InetAddress;

/**
 * An MPTCP path-manager event from the kernel ({@code mptcp_pm_events} multicast group). Every event
 * of a connection carries its {@link #token()}, which joins it to the socket
 * ({@code socket.connectionInfo().token()}). Ports are given as ordinary numbers (the kernel sends
 * them in network byte order; MPSec converts).
 */
public sealed interface PmEvent {
    /** The MPTCP connection token (unsigned 32 bit), or 0 for listener events. */
    long token();

    /** Addresses and ports of a connection or subflow; {@code null} addresses when the kernel omitted them. */
    record Endpoints(InetAddress local, int localPort, InetAddress remote, int remotePort) {
    }

    /** A new MPTCP connection (the first subflow's SYN). */
    record Created(long token, Endpoints endpoints, boolean serverSide) implements PmEvent {
    }

    /** The connection is fully established (MP_CAPABLE handshake complete). */
    record Established(long token, Endpoints endpoints, boolean serverSide) implements PmEvent {
    }

    /** The connection closed. */
    record Closed(long token) implements PmEvent {
    }

    /** The peer announced an address (ADD_ADDR). */
    record Announced(long token, int remoteId, InetAddress address, int port) implements PmEvent {
    }

    /** The peer withdrew an address (RM_ADDR). */
    record Removed(long token, int remoteId) implements PmEvent {
    }

    /** A subflow was established. */
    record SubflowEstablished(long token, int localId, int remoteId, Endpoints endpoints, boolean backup, int ifIndex)
            implements PmEvent {
    }

    /** A subflow closed (or failed to open); {@code error} is the socket error (errno), 0 if none. */
    record SubflowClosed(long token, int localId, int remoteId, Endpoints endpoints, boolean backup, int error)
            implements PmEvent {
    }

    /** A subflow's backup priority changed (MP_PRIO). */
    record SubflowPriority(long token, int localId, int remoteId, Endpoints endpoints, boolean backup)
            implements PmEvent {
    }

    /** A listening MPTCP socket was created. */
    record ListenerCreated(InetAddress address, int port) implements PmEvent {
        @Override
        public long token() {
            return 0;
        }
    }

    /** A listening MPTCP socket was closed. */
    record ListenerClosed(InetAddress address, int port) implements PmEvent {
        @Override
        public long token() {
            return 0;
        }
    }

    /** An event type this version of MPSec does not model (the kernel's number is kept). */
    record Other(int type, long token) implements PmEvent {
    }
}
