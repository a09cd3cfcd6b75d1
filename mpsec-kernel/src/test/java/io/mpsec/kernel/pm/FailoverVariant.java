package io.mpsec.kernel.pm;

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
 * Failover variants compared by {@link FailoverSoak}; subflow set-up is {@link Backup}'s.
 * {@code SWAP}: MP_PRIO swap only. {@code DESTROY_FIRST}: the withdrawn variant of commit 26ae23a (promote
 * the backup, then SUBFLOW_DESTROY every subflow on the primary address, the connection's first
 * subflow included; on link up create a new primary subflow).
 */
final class FailoverVariant implements PmStrategy {
    enum Mode { SWAP, DESTROY_FIRST }

    private final Backup setup;
    private final InetAddress backupLocal;
    private final Mode mode;

    FailoverVariant(Mode mode, InetAddress backupLocal, InetAddress backupRemote) {
        this.mode = mode;
        this.setup = new Backup(backupLocal, backupRemote);
        this.backupLocal = backupLocal;
    }

    @Override
    public String name() {
        return "soak-" + mode;
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
            if (mode == Mode.SWAP) {
                for (ConnectionState.Subflow sf : c.subflows()) {
                    boolean standby = sf.local().equals(backupLocal);
                    if (standby || sf.local().equals(c.local())) {
                        ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), up == standby);
                    }
                }
                continue;
            }
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
}
