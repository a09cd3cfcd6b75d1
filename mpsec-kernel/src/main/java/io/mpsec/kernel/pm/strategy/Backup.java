package io.mpsec.kernel.pm.strategy;

import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code backup}: active-standby. Client side only. On a new connection it opens
 * <ul>
 * <li>a standby subflow from {@code backupLocal} to {@code backupRemote} (or, when that is null, to the
 * connection's remote address), marked backup with MP_PRIO, so it carries traffic only when the
 * primary fails, and</li>
 * <li>a second subflow on the primary path (same addresses as the initial subflow, new port), the
 * <em>working primary</em>; once it is up the initial subflow is marked backup and stays idle.</li>
 * </ul>
 * Failover closes the working primary, never the initial subflow: see {@link #onLink} for a link that
 * goes down and {@link #onTick} for a path that silently stops delivering (a blackhole).
 */
public final class Backup implements PmStrategy {
    /** How often the working primaries are checked for a blackhole ({@link #onTick}). */
    public static final long TICK_MILLIS = 20;
    /** The default shortest stall taken for a blackhole ({@link StallDetector}). */
    public static final long DEFAULT_MIN_STALL_MILLIS = 100;

    private static final System.Logger LOG = System.getLogger(Backup.class.getName());

    private final InetAddress backupLocal;
    private final InetAddress backupRemote;
    private final StallDetector stalls;
    /**
     * Connections whose standby was made regular by a failover (link-down or blackhole) and whose new
     * working primary is not up yet: the standby is marked backup again only when it is.
     */
    private final Set<Long> failedOver = new HashSet<>();
    private final AtomicLong blackholeFailovers = new AtomicLong();

    /** Active-standby with blackhole detection ({@link #DEFAULT_MIN_STALL_MILLIS}). */
    public Backup(InetAddress backupLocal, InetAddress backupRemote) {
        this(backupLocal, backupRemote, DEFAULT_MIN_STALL_MILLIS);
    }

    /**
     * Active-standby; {@code minStallMillis} is the shortest time without progress on the working
     * primary that is taken for a blackhole (see {@link #onTick}); 0 turns blackhole detection off
     * (failover on link-down only).
     */
    public Backup(InetAddress backupLocal, InetAddress backupRemote, long minStallMillis) {
        if (minStallMillis < 0) {
            throw new IllegalArgumentException("minimum stall must be 0 (no blackhole detection) or positive, not " + minStallMillis + " ms");
        }
        this.backupLocal = backupLocal;
        this.backupRemote = backupRemote;
        this.stalls = minStallMillis == 0 ? null : new StallDetector(minStallMillis);
    }

    /** How many times a blackhole on the primary path made this strategy fail over. */
    public long blackholeFailovers() {
        return blackholeFailovers.get();
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
            if (failedOver.remove(c.token())) {
                // the primary path delivers again (the new working primary's handshake got through): only
                // now may the standby go back to backup, see onLink
                for (ConnectionState.Subflow sf : c.subflows()) {
                    if (sf.local().equals(backupLocal)) {
                        ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), true);
                    }
                }
            }
        }
    }

    @Override
    public void onClosed(PmContext ctx, PmEvent.Closed e) {
        failedOver.remove(e.token());
    }

    @Override
    public long tickMillis() {
        return stalls == null ? 0 : TICK_MILLIS;
    }

    /**
     * Blackhole failover. A path that drops everything sends no link event; the working primary only
     * stops making progress. Every {@link #TICK_MILLIS} ms this reads the working primaries' TCP state
     * (sock_diag, only while a client connection has both a working primary and a standby) and, when
     * one is stalled ({@link StallDetector}: a retransmission timeout without progress, or no ACK at
     * all for {@code max(minStall, 3 x RTT)} with data in flight), fails over as on a link-down: the
     * standby becomes regular, then the working primary is closed, so the kernel re-injects its
     * unacknowledged data onto the standby at once. The initial subflow, on the same dead path, stays
     * a backup and idle: with a regular standby the kernel schedules no data on a backup subflow.
     * (Waiting for the kernel instead is what made blackholes slow: at the primary's first
     * retransmission timeout the kernel re-injected onto a backup subflow, and with two idle backups
     * it took the first one in its list, the initial subflow, into the same blackhole.) A new working
     * primary is opened at once; its handshake completes when the path delivers again, and then the
     * standby is marked backup again.
     */
    @Override
    public void onTick(PmContext ctx) throws IOException {
        if (stalls == null) {
            return;
        }
        Map<InetSocketAddress, ConnectionState> owner = new HashMap<>();
        Set<Map.Entry<InetSocketAddress, InetSocketAddress>> watched = new HashSet<>();
        for (ConnectionState c : ctx.connections()) {
            if (c.serverSide() || c.subflows().stream().noneMatch(sf -> sf.local().equals(backupLocal))) {
                continue;
            }
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (isWorkingPrimary(c, sf.local(), sf.localPort())) {
                    InetSocketAddress l = new InetSocketAddress(sf.local(), sf.localPort());
                    watched.add(new AbstractMap.SimpleImmutableEntry<>(l, new InetSocketAddress(sf.remote(), sf.remotePort())));
                    owner.put(l, c);
                }
            }
        }
        if (watched.isEmpty()) {
            stalls.stalled(watched, java.util.List.of(), System.nanoTime());
            return;
        }
        for (Map.Entry<InetSocketAddress, String> dead : stalls.stalled(watched, ctx.subflowProgress(), System.nanoTime()).entrySet()) {
            failOver(ctx, owner.get(dead.getKey()), dead.getKey(), dead.getValue());
        }
    }

    private void failOver(PmContext ctx, ConnectionState c, InetSocketAddress dead, String why) throws IOException {
        for (ConnectionState.Subflow sf : c.subflows()) {
            // unconditionally: the runner's backup flag is the one of the subflow's events, and this host's
            // own MP_PRIO produces no event here
            if (sf.local().equals(backupLocal)) {
                ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), false);
            }
        }
        for (ConnectionState.Subflow sf : c.subflows()) {
            if (sf.local().equals(dead.getAddress()) && sf.localPort() == dead.getPort()) {
                ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
            }
        }
        failedOver.add(c.token());
        blackholeFailovers.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "primary path of a connection stalled (no progress on "
                + dead.getAddress().getHostAddress() + ":" + dead.getPort() + ": " + why + "): failed over to the standby");
        ctx.pm().createSubflow(c.token(), ctx.localId(c.token(), c.local()), c.local(), c.remote(), c.remotePort());
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
     * is only marked backup. When the interface is up again a new working primary is opened; the
     * standby stays regular until that working primary is established ({@link #onSubflowEstablished})
     * and only then is marked backup again. (Marking it backup at link-up left the connection with no
     * regular subflow whenever the new working primary's handshake was slow: its first SYN, sent at
     * the link-up event, sometimes never left the host, and the join completed only at TCP's 1 s SYN
     * retransmission. The kernel then sends on a backup subflow, among them the initial subflow on
     * the just restored path; that stalled the stream for up to 0.6 s after the restore and, when the
     * next cut came before the initial subflow's queue had drained, left data on it that only the
     * connection's retransmission timer moved, ~200 ms later. See
     * docs/kernel-notes/mptcp-backup-linkup-join.md.)
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
            boolean working = false;
            for (ConnectionState.Subflow sf : c.subflows()) {
                working |= isWorkingPrimary(c, sf.local(), sf.localPort());
            }
            // the standby carries the traffic from the link-down until a working primary is up again
            if (!up || working) {
                for (ConnectionState.Subflow sf : c.subflows()) {
                    if (sf.local().equals(backupLocal)) {
                        ctx.pm().setSubflowBackup(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort(), up);
                    }
                }
            }
            if (up) {
                if (working) {
                    failedOver.remove(c.token());
                } else {
                    failedOver.add(c.token()); // the standby stays regular until the new working primary is up
                    ctx.pm().createSubflow(c.token(), ctx.localId(c.token(), c.local()), c.local(), c.remote(), c.remotePort());
                }
                continue;
            }
            failedOver.add(c.token());
            for (ConnectionState.Subflow sf : c.subflows()) {
                if (isWorkingPrimary(c, sf.local(), sf.localPort())) {
                    ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
                }
            }
            if (!working) {
                ctx.pm().setSubflowBackup(c.token(), c.local(), c.localPort(), c.remote(), c.remotePort(), true);
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
