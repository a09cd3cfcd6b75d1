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
 * failover benchmark ({@code pm=BACKUP_SWAP_ONLY}): on link-down it only swaps the priorities (MP_PRIO:
 * primary backup, standby regular) and swaps them back on link-up. The same run then shows what
 * closing the subflow buys. Subflow set-up is {@link Backup}'s.
 */
final class SwapOnlyBackup implements PmStrategy {
    private final Backup setup;
    private final InetAddress backupLocal;

    SwapOnlyBackup(InetAddress backupLocal, InetAddress backupRemote) {
        this.setup = new Backup(backupLocal, backupRemote);
        this.backupLocal = backupLocal;
    }

    @Override
    public String name() {
        return "backup-swap-only(" + backupLocal.getHostAddress() + ")";
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        setup.onEstablished(ctx, e);
    }

    @Override
    public void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
        setup.onSubflowEstablished(ctx, e);
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
