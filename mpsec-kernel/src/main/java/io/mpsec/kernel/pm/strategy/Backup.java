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
     * Fast failover: when the interface carrying a connection's primary subflow goes down, swap the
     * priorities (primary becomes backup, backup becomes regular, MP_PRIO both ways) instead of
     * waiting for the kernel to declare the primary stale after several retransmission timeouts;
     * swap back when the interface is up again.
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
            for (ConnectionState.Subflow sf : c.subflows()) {
                boolean isBackupPath = sf.local().equals(backupLocal);
                if (!isBackupPath && !sf.local().equals(c.local())) {
                    continue;
                }
                // link down: primary -> backup, backup path -> regular; link up: the reverse
                boolean markBackup = up ? isBackupPath : !isBackupPath;
                ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), markBackup);
            }
        }
    }

    /** The backup subflow's remote as an address/port pair (for tests and doctor). */
    public InetSocketAddress describe(int port) {
        return new InetSocketAddress(backupRemote, port);
    }
}
