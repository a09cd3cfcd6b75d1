package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code backup}: active-standby. Client side only. On a new connection it opens
 * <ul>
 * <li>a standby subflow from {@code backupLocal} to {@code backupRemote} (or, when that is null, to the
 * connection's remote address), marked backup with MP_PRIO, so it carries traffic only when the
 * primary fails, and</li>
 * <li>a second subflow on the primary path (same addresses as the initial subflow, new port), the
 * <em>working primary</em>; once it is up the initial subflow is marked backup and stays idle.</li>
 * </ul>
 * Failover closes the working primary, never the initial subflow: see {@link #onLink}.
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
        PmEvent.Endpoints ep = e.endpoints();
        InetAddress remote = backupRemote != null ? backupRemote : ep.remote();
        ctx.pm().createBackupSubflow(e.token(), ctx.localId(e.token(), backupLocal), backupLocal, remote, ep.remotePort());
        ctx.pm().createSubflow(e.token(), ctx.localId(e.token(), ep.local()), ep.local(), ep.remote(), ep.remotePort());
    }

    /**
     * Make sure the peer knows the standby is a backup (MP_PRIO when it came up as a regular one); when
     * a working primary comes up, mark the initial subflow backup so it has no data in flight when the
     * primary path fails.
     */
    @Override
    public void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
        PmEvent.Endpoints ep = e.endpoints();
        if (ep.local() == null) {
            return;
        }
        if (ep.local().equals(backupLocal) && !e.backup()) {
            ctx.pm().setSubflowBackup(e.token(), ep.local(), ep.localPort(), ep.remote(), ep.remotePort(), true);
        }
        ConnectionState c = ctx.connection(e.token());
        if (c != null && !c.serverSide() && isWorkingPrimary(c, ep.local(), ep.localPort())) {
            ctx.pm().setSubflowBackup(c.token(), c.local(), c.localPort(), c.remote(), c.remotePort(), true);
        }
    }

    /**
     * Fast failover. When the interface of a connection's primary path goes down: the standby becomes
     * regular (MP_PRIO) and the working primary is closed (SUBFLOW_DESTROY). Closing is what moves the
     * data stuck in flight on the dead path at once: the kernel re-injects a closed subflow's
     * unacknowledged data onto the other subflows immediately, while a subflow only marked backup keeps
     * it until the connection's retransmission timer fires (200 ms at least). The initial subflow
     * ({@code msk->first}) is never closed: the kernel keeps it half-closed in the connection instead
     * of disposing of it, and in one CI run a connection whose initial subflow was closed this way
     * delivered a stream of the right length with different bytes (not reproduced since; see
     * docs/kernel-notes/mptcp-subflow-destroy-first.md); it is idle (backup) anyway. Without a working primary (its creation failed) the initial subflow
     * is only marked backup. When the interface is up again the standby is marked backup again and a
     * new working primary is opened.
     */
    @Override
    public void onLink(PmContext ctx, int ifIndex, String name, boolean up) throws IOException {
        Set<InetAddress> onLink = new HashSet<>();
        for (io.mpsec.kernel.rtnl.Address a : ctx.addresses()) {
            if (a.ifIndex() == ifIndex) {
                onLink.add(a.address());
            }
        }
        for (ConnectionState c : ctx.connections()) {
            if (c.serverSide() || !onLink.contains(c.local())) {
                continue;
            }
            // the standby carries the traffic while the primary's link is down, and only then
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (sf.local().equals(backupLocal)) {
                    ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), up);
                }
            }
            boolean working = false;
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (isWorkingPrimary(c, sf.local(), sf.localPort())) {
                    working = true;
                    if (!up) {
                        ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
                    }
                }
            }
            if (!up && !working) {
                ctx.pm().setSubflowBackup(c.token(), c.local(), c.localPort(), c.remote(), c.remotePort(), true);
            }
            if (up && !working) {
                ctx.pm().createSubflow(c.token(), ctx.localId(c.token(), c.local()), c.local(), c.remote(), c.remotePort());
            }
        }
    }

    /** A subflow on the connection's primary address that is not the initial subflow. */
    private static boolean isWorkingPrimary(ConnectionState c, InetAddress local, int localPort) {
        return local.equals(c.local()) && localPort != c.localPort();
    }

    /** The backup subflow's remote as an address/port pair (for tests and doctor). */
    public InetSocketAddress describe(int port) {
        return new InetSocketAddress(backupRemote, port);
    }
}
