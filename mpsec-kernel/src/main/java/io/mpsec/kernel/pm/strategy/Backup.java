package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code backup}: active-standby. The connection runs on its initial path; a second subflow from
 * {@code backupLocal} to {@code backupRemote} (or, when that is null, to the connection's remote
 * address) is opened and marked backup with MP_PRIO, so it carries traffic only when the primary
 * fails. Client side only.
 */
public final class Backup implements PmStrategy {
    private final InetAddress backupLocal;
    private final InetAddress backupRemote;

    public Backup(InetAddress backupLocal, InetAddress backupRemote) {
        this.backupLocal = backupLocal;
        this.backupRemote = backupRemote;
    }

    @Override
    public String name() {
        return "backup(" + backupLocal.getHostAddress() + ")";
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        if (e.serverSide()) {
            return;
        }
        InetAddress remote = backupRemote != null ? backupRemote : e.endpoints().remote();
        ctx.pm().createBackupSubflow(e.token(), ctx.localId(e.token(), backupLocal), backupLocal, remote,
                e.endpoints().remotePort());
    }

    /** Make sure the peer knows: send MP_PRIO backup when the subflow came up as a regular one. */
    @Override
    public void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
        PmEvent.Endpoints ep = e.endpoints();
        if (ep.local() != null && ep.local().equals(backupLocal) && !e.backup()) {
            ctx.pm().setSubflowBackup(e.token(), ep.local(), ep.localPort(), ep.remote(), ep.remotePort(), true);
        }
    }

    /**
     * Fast failover: when the interface carrying a connection's primary subflow goes down, make the
     * backup subflow regular (MP_PRIO) and close the primary subflow. Closing is what moves the data
     * stuck in flight on the dead path at once: the kernel re-injects a closed subflow's unacknowledged
     * data onto the other subflows immediately ({@code __mptcp_close_ssk} with {@code MPTCP_CF_PUSH}),
     * while a subflow only marked backup keeps it until the connection's retransmission timer fires
     * (200 ms at least, the RTO floor; measured: receive gaps of 204-404 ms with the swap alone, see
     * docs/BENCHMARKS.md). When the interface is up again, open a new primary subflow from the
     * connection's local address and mark the backup path backup again.
     */
    @Override
    public void onLink(PmContext ctx, int ifIndex, String name, boolean up) throws IOException {
        java.util.Set<InetAddress> onLink = new java.util.HashSet<>();
        for (io.mpsec.kernel.rtnl.Address a : ctx.addresses()) {
            if (a.ifIndex() == ifIndex) {
                onLink.add(a.address());
            }
        }
        for (ConnectionState c : ctx.connections()) {
            if (c.serverSide() || !onLink.contains(c.local())) {
                continue;
            }
            // the backup path carries the traffic while the primary's link is down, and only then
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (sf.local().equals(backupLocal)) {
                    ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), up);
                }
            }
            boolean primaryOpen = false;
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (sf.local().equals(c.local())) {
                    primaryOpen = true;
                    if (!up) {
                        ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
                    }
                }
            }
            if (up && !primaryOpen) {
                ctx.pm().createSubflow(c.token(), ctx.localId(c.token(), c.local()), c.local(), c.remote(), c.remotePort());
            }
        }
    }

    /** The backup subflow's remote as an address/port pair (for tests and doctor). */
    public InetSocketAddress describe(int port) {
        return new InetSocketAddress(backupRemote, port);
    }
}
