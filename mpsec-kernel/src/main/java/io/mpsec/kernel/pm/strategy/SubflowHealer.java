package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.rtnl.Address;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Re-creates subflows when their interface comes back. Mainline kernels do not re-establish a
 * closed subflow by themselves, and a subflow over a dead link keeps retransmitting for minutes.
 * So when an interface goes down the healer closes the subflows using its addresses (the data is
 * reinjected on the remaining subflows at once) and remembers them; when the interface is up again
 * (IFF_UP and carrier) it opens them again, with the same backup priority. Subflows that the kernel
 * closes with an error are remembered the same way. Never closes the last subflow of a connection.
 *
 * <p>A subflow is forgotten only once it was re-created. When re-creation fails (for example
 * {@code EADDRNOTAVAIL} while the address is still tentative right after link-up) it stays
 * remembered and is tried again when an address is added to the namespace (rtnetlink RTM_NEWADDR,
 * which the kernel also sends when an IPv6 address leaves the tentative state) and at the next link up.
 * Subflows between pairs the runner does not allow (for example one the in-kernel path manager opened
 * to an unprotected address) are forgotten instead of re-created.
 */
public final class SubflowHealer implements PmStrategy {
    private record Lost(int localId, InetAddress local, InetAddress remote, int remotePort, boolean backup) {
    }

    private final Map<Long, Set<Lost>> lost = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "healer";
    }

    public int lostCount() {
        return lost.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void onLink(PmContext ctx, int ifIndex, String name, boolean up) throws IOException {
        List<InetAddress> addrs = new ArrayList<>();
        for (Address a : ctx.addresses()) {
            if (a.ifIndex() == ifIndex) {
                addrs.add(a.address());
            }
        }
        if (up) {
            heal(ctx, addrs);
        } else {
            for (ConnectionState c : ctx.connections()) {
                List<ConnectionState.Subflow> dead = new ArrayList<>();
                for (ConnectionState.Subflow sf : c.subflows()) {
                    if (addrs.contains(sf.local())) {
                        dead.add(sf);
                    }
                }
                if (dead.isEmpty() || dead.size() >= c.subflows().size()) {
                    continue; // nothing to do, or it would leave the connection without a subflow
                }
                for (ConnectionState.Subflow sf : dead) {
                    remember(c.token(), sf);
                    ctx.pm().destroySubflow(c.token(), sf.local(), sf.localPort(), sf.remote(), sf.remotePort());
                }
            }
        }
    }

    @Override
    public void onAddress(PmContext ctx, Address address, boolean removed) throws IOException {
        if (!removed) {
            heal(ctx, List.of(address.address()));
        }
    }

    @Override
    public void onSubflowClosed(PmContext ctx, PmEvent.SubflowClosed e) {
        if (e.error() != 0 && e.endpoints().local() != null) {
            ConnectionState c = ctx.connection(e.token());
            if (c != null) {
                PmEvent.Endpoints ep = e.endpoints();
                remember(e.token(), new ConnectionState.Subflow(e.localId(), ep.local(), ep.localPort(), e.remoteId(),
                        ep.remote(), ep.remotePort(), e.backup()));
            }
        }
    }

    @Override
    public void onClosed(PmContext ctx, PmEvent.Closed e) {
        lost.remove(e.token());
    }

    private void remember(long token, ConnectionState.Subflow sf) {
        lost.computeIfAbsent(token, t -> ConcurrentHashMap.newKeySet())
                .add(new Lost(sf.localId(), sf.local(), sf.remote(), sf.remotePort(), sf.backup()));
    }

    private void heal(PmContext ctx, List<InetAddress> addrs) throws IOException {
        IOException failed = null;
        for (Map.Entry<Long, Set<Lost>> e : lost.entrySet()) {
            long token = e.getKey();
            if (ctx.connection(token) == null) {
                lost.remove(token);
                continue;
            }
            for (Lost l : List.copyOf(e.getValue())) {
                if (!addrs.contains(l.local())) {
                    continue;
                }
                if (!ctx.pm().subflowPolicy().allows(l.local(), l.remote())) {
                    e.getValue().remove(l); // outside the runner's allowed pairs: never re-created
                    continue;
                }
                try {
                    int id = ctx.localId(token, l.local());
                    if (l.backup()) {
                        ctx.pm().createBackupSubflow(token, id, l.local(), l.remote(), l.remotePort());
                    } else {
                        ctx.pm().createSubflow(token, id, l.local(), l.remote(), l.remotePort());
                    }
                    e.getValue().remove(l); // forget it only once it exists again
                } catch (IOException | RuntimeException ex) {
                    IOException io = new IOException("healer could not re-create the subflow " + l.local().getHostAddress()
                            + " -> " + l.remote().getHostAddress() + ":" + l.remotePort() + " (will retry when an address "
                            + "is added or a link comes up): " + ex.getMessage(), ex);
                    if (failed == null) {
                        failed = io;
                    } else {
                        failed.addSuppressed(io);
                    }
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
