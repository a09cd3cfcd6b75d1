package io.mpsec.bench;

import io.mpsec.kernel.pm.strategy.Backup;
import io.mpsec.kernel.pm.strategy.ConnectionState;
import io.mpsec.kernel.pm.strategy.PmContext;
import io.mpsec.kernel.pm.strategy.PmStrategy;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The failover of {@link Backup} before it closed the dead primary subflow, kept as a control for the
 * failover benchmark ({@code pm=BACKUP_SWAP_ONLY}): one standby subflow (backup, MP_PRIO) and no
 * working primary; on link-down it only swaps the priorities (MP_PRIO: primary backup, standby
 * regular) and swaps them back on link-up. The same run then shows what closing the subflow buys.
 */
final class SwapOnlyBackup implements PmStrategy {
    private final InetAddress backupLocal;
    private final InetAddress backupRemote;

    SwapOnlyBackup(InetAddress backupLocal, InetAddress backupRemote) {
        this.backupLocal = backupLocal;
        this.backupRemote = backupRemote;
    }

    @Override
    public String name() {
        return "backup-swap-only(" + backupLocal.getHostAddress() + ")";
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        if (!e.serverSide()) {
            ctx.pm().createBackupSubflow(e.token(), ctx.localId(e.token(), backupLocal), backupLocal, backupRemote,
                    e.endpoints().remotePort());
        }
    }

    @Override
    public void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
        PmEvent.Endpoints ep = e.endpoints();
        if (ep.local() != null && ep.local().equals(backupLocal) && !e.backup()) {
            ctx.pm().setSubflowBackup(e.token(), ep.local(), ep.localPort(), ep.remote(), ep.remotePort(), true);
        }
    }

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
            for (ConnectionState.Subflow sf : c.subflows()) {
                boolean standby = sf.local().equals(backupLocal);
                if (standby || sf.local().equals(c.local())) {
                    ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), up == standby);
                }
            }
        }
    }
}
