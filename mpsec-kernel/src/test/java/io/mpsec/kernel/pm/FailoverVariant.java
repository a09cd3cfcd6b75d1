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
 * Failover variants compared by {@link FailoverSoak}. {@code BACKUP}: the shipped {@link Backup}, unchanged.
 * The others set up one standby subflow (backup, MP_PRIO) like the swap-only {@code Backup} did.
 * {@code SWAP}: MP_PRIO swap only. {@code DESTROY_FIRST}: the withdrawn variant of commit 26ae23a (promote
 * the backup, then SUBFLOW_DESTROY every subflow on the primary address, the connection's first
 * subflow included; on link up create a new primary subflow). {@code DESTROY_EXTRA}: the first
 * subflow is never destroyed: a second subflow on the primary path carries the traffic and the first
 * one is marked backup (idle); link down promotes the backup path and destroys only that extra
 * subflow; link up opens a new extra subflow.
 */
final class FailoverVariant implements PmStrategy {
    enum Mode { SWAP, DESTROY_FIRST, DESTROY_EXTRA, BACKUP }

    private final Backup shipped;
    private final InetAddress backupLocal;
    private final InetAddress backupRemote;
    private final Mode mode;

    FailoverVariant(Mode mode, InetAddress backupLocal, InetAddress backupRemote) {
        this.mode = mode;
        this.shipped = new Backup(backupLocal, backupRemote);
        this.backupLocal = backupLocal;
        this.backupRemote = backupRemote;
    }

    @Override
    public String name() {
        return "soak-" + mode;
    }

    /** In mode BACKUP the shipped strategy's blackhole checks run too. */
    @Override
    public long tickMillis() {
        return mode == Mode.BACKUP ? shipped.tickMillis() : 0;
    }

    @Override
    public void onTick(PmContext ctx) throws IOException {
        if (mode == Mode.BACKUP) {
            shipped.onTick(ctx);
        }
    }

    @Override
    public void onClosed(PmContext ctx, PmEvent.Closed e) {
        if (mode == Mode.BACKUP) {
            shipped.onClosed(ctx, e);
        }
    }

    @Override
    public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
        if (mode == Mode.BACKUP) {
            shipped.onEstablished(ctx, e);
            return;
        }
        if (e.serverSide()) {
            return;
        }
        ctx.pm().createBackupSubflow(e.token(), ctx.localId(e.token(), backupLocal), backupLocal, backupRemote,
                e.endpoints().remotePort());
        if (mode == Mode.DESTROY_EXTRA) {
            PmEvent.Endpoints ep = e.endpoints();
            ctx.pm().createSubflow(e.token(), ctx.localId(e.token(), ep.local()), ep.local(), ep.remote(), ep.remotePort());
        }
    }

    @Override
    public void onSubflowEstablished(PmContext ctx, PmEvent.SubflowEstablished e) throws IOException {
        if (mode == Mode.BACKUP) {
            shipped.onSubflowEstablished(ctx, e);
            return;
        }
        PmEvent.Endpoints sfEp = e.endpoints();
        if (sfEp.local() != null && sfEp.local().equals(backupLocal) && !e.backup()) {
            ctx.pm().setSubflowBackup(e.token(), sfEp.local(), sfEp.localPort(), sfEp.remote(), sfEp.remotePort(), true);
        }
        ConnectionState c = ctx.connection(e.token());
        PmEvent.Endpoints ep = e.endpoints();
        if (mode == Mode.DESTROY_EXTRA && c != null && !c.serverSide() && c.local().equals(ep.local())
                && ep.localPort() != c.localPort()) {
            // an extra primary is up: the first subflow goes idle (backup), so it never has data in flight
            ctx.pm().setSubflowBackup(c.token(), c.local(), c.localPort(), c.remote(), c.remotePort(), true);
        }
    }

    @Override
    public void onLink(PmContext ctx, int ifIndex, String name, boolean up) throws IOException {
        if (mode == Mode.BACKUP) {
            shipped.onLink(ctx, ifIndex, name, up);
            return;
        }
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
            if (mode == Mode.DESTROY_EXTRA) {
                boolean extraOpen = false;
                for (ConnectionState.Subflow sf : c.subflows()) {
                    if (sf.local().equals(c.local()) && sf.localPort() != c.localPort()) {
                        extraOpen = true;
                        if (!up) {
                            ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
                        }
                    }
                }
                if (up && !extraOpen) {
                    ctx.pm().createSubflow(c.token(), ctx.localId(c.token(), c.local()), c.local(), c.remote(), c.remotePort());
                }
                continue;
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
