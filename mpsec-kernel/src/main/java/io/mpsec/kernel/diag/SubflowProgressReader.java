package io.mpsec.kernel.diag;

import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link SubflowProgress} of every established TCP socket of one network namespace: one
 * sock_diag dump per address family with {@code struct tcp_info} only (no congestion control, no
 * mptcp_diag dump), so it is cheap enough to poll a few dozen times a second in a namespace with
 * few sockets; its cost grows with the number of TCP sockets in the namespace. Thread-safe (calls
 * are serialised on one netlink socket); close it to release the socket.
 */
public final class SubflowProgressReader implements AutoCloseable {
    private final NetlinkConnection conn;

    private SubflowProgressReader(NetlinkConnection conn) {
        this.conn = conn;
    }

    /**
     * Opens a reader for namespace {@code ns}, {@code null} for the calling thread's. The socket stays
     * in that namespace; {@code ns} may be closed afterwards.
     */
    public static SubflowProgressReader open(NetNamespace ns) throws IOException {
        return new SubflowProgressReader(NetlinkConnection.open(InetDiag.NETLINK_SOCK_DIAG, ns));
    }

    /** Every established TCP socket of the namespace now, IPv4 and IPv6. */
    public List<SubflowProgress> read() throws IOException {
        List<SubflowProgress> out = new ArrayList<>();
        for (boolean v4 : new boolean[] {true, false}) {
            for (NetlinkMessage m : conn.dump("sock_diag TCP dump", InetDiagRequest.dumpAll(v4)).messages()) {
                out.add(SubflowProgress.of(InetDiagMsg.decode(m)));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
