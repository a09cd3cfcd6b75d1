package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netns.NamespaceTool;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Packet security per interface, counted in the kernel: an nftables table of its own,
 * {@code table inet mpsec_stats} (separate from the join gate's {@code mpsec_gate}), with named
 * counters per interface for the traffic between the configured peers only ({@link PeerAddresses}):
 * ESP in and out, TCP in clear in and out, any other protocol in clear in and out (packets and
 * bytes). Traffic to any other host is never counted, so an SSH session to another machine does not
 * mark an interface as cleartext. The rules only count: every one accepts or returns, nothing is
 * dropped. Peer traffic on an interface that is not listed is counted under {@link #UNLISTED}.
 * The layout and the reasons behind each rule are in {@link PeerCounterRuleset} ({@link #ruleset}).
 *
 * <h2>Cost</h2>
 * In the kernel: for every packet two set lookups (source, destination) per address family in the
 * prerouting and postrouting hooks; for peer packets one more map lookup and a per-CPU counter add.
 * Reading: one netlink request, {@code NFT_MSG_GETOBJ} dumped for this table's counters only
 * ({@link GetCounterObjects}), on a socket kept open: no process is started. Measured in
 * {@code PeerTrafficCountersIT} on the 2-core build machine under load: 1.0-1.8 ms of wall time per read
 * (200 reads, JIT warm-up included) against 80-130 ms for {@code nft list counters} (a process per
 * read, which itself makes nine netlink round trips); at one read per second that is about 0.1 % of
 * a core. {@code nft} runs only in {@link #install}, {@link #installed} and {@link #remove}.
 *
 * <h2>Lifetime</h2>
 * The table lives in the kernel, independent of this object: {@link #install} is idempotent (one
 * {@code nft -f} transaction: it keeps the counter values and replaces the addresses and interface
 * maps; counters of an interface no longer listed stay unused until {@link #remove}), {@link #remove}
 * deletes it, and {@code nft flush ruleset} removes it too. {@link #close()} only closes the netlink socket.
 *
 * <h2>Requirements</h2>
 * Root (CAP_NET_ADMIN in the namespace), the {@code nft} tool (Debian package {@code nftables}, tested
 * with 1.0.6), a kernel with nf_tables, the inet family, named counters and object maps (4.10+),
 * {@code meta secpath} (4.16+) and {@code rt ipsec} (4.20+). Thread-safe; the {@link NetNamespace}
 * must stay open while this object is used.
 */
public final class PeerTrafficCounters implements AutoCloseable {
    /** The table, as nft names it. */
    public static final String TABLE = PeerCounterRuleset.FAMILY + " " + PeerCounterRuleset.TABLE;
    /** The pseudo-interface under which peer traffic on an interface that was not listed is counted. */
    public static final String UNLISTED = "(unlisted)";

    private final NetNamespace ns;
    private final NamespaceTool nft;
    private final List<String> interfaces;
    private NetlinkConnection netlink;

    private PeerTrafficCounters(NetNamespace ns, NamespaceTool nft, List<String> interfaces) {
        this.ns = ns;
        this.nft = nft;
        this.interfaces = interfaces;
    }

    /**
     * Installs (or updates, keeping the counter values) the counters in namespace {@code ns}
     * ({@code null}: this process's namespace) in one nftables transaction, and checks that the table is there.
     *
     * @param peers the configured local and remote addresses
     * @param interfaces the interfaces to count separately (e.g. the secure paths' interfaces); peer
     *     traffic on any other interface is counted under {@link #UNLISTED}
     * @throws IllegalArgumentException when an interface name is not supported
     * @throws IOException when nft is missing or refuses the table (its error is in the message)
     */
    public static PeerTrafficCounters install(NetNamespace ns, PeerAddresses peers, List<String> interfaces) throws IOException {
        List<String> ifs = PeerCounterRuleset.checkInterfaces(interfaces);
        String script = PeerCounterRuleset.install(peers, ifs);
        PeerTrafficCounters c = new PeerTrafficCounters(ns, nft(ns), ifs);
        NamespaceTool.Result r = c.nft.run(script, "-f", "-");
        if (!r.ok()) {
            throw new IOException("installing the peer traffic counters (" + TABLE + ") in " + c.nft.where() + " failed: "
                    + PeerCounterRuleset.firstError(r.stderr()) + " (needs root, nftables and a kernel with nf_tables "
                    + "object maps, meta secpath and rt ipsec: Linux 4.20+)");
        }
        if (!c.installed()) {
            throw new IOException("nft accepted " + TABLE + " in " + c.nft.where() + " but does not list all its rules "
                    + "afterwards; another program may have replaced it");
        }
        return c;
    }

    /** The counters already installed in {@code ns} for {@code interfaces}, without changing anything: to read or remove them. */
    public static PeerTrafficCounters of(NetNamespace ns, List<String> interfaces) throws IOException {
        return new PeerTrafficCounters(ns, nft(ns), PeerCounterRuleset.checkInterfaces(interfaces));
    }

    /** {@code nft} in {@code ns}: only to install, check and remove the counters table (the counters are read over netlink). */
    private static NamespaceTool nft(NetNamespace ns) throws IOException {
        return new NamespaceTool(ns, NamespaceTool.find("nft").orElseThrow(() -> new IOException("the nft tool (nftables) is "
                + "not installed; the peer traffic counters need it to install their table: install the Debian package "
                + "nftables ('apt-get install nftables')")), 30);
    }

    /** The nftables transaction {@link #install} applies, for documentation and review. */
    public static String ruleset(PeerAddresses peers, List<String> interfaces) {
        return PeerCounterRuleset.install(peers, interfaces);
    }

    /** The interfaces counted separately, in order (without {@link #UNLISTED}). */
    public List<String> interfaces() {
        return interfaces;
    }

    /**
     * The counters now, per interface (the listed ones in order, then {@link #UNLISTED}), read with
     * one netlink dump.
     *
     * @throws IOException when the table is not installed, or netlink fails
     */
    public Map<String, InterfaceTraffic> read() throws IOException {
        Map<String, TrafficCount> raw;
        synchronized (this) {
            if (netlink == null) {
                netlink = NetlinkConnection.open(NfTablesUapi.NETLINK_NETFILTER, ns);
            }
            raw = GetCounterObjects.read(netlink, PeerCounterRuleset.TABLE);
        }
        return checked(raw);
    }

    /** The same as {@link #read()} through {@code nft list counters} (a process per call): a cross-check. */
    public Map<String, InterfaceTraffic> readWithNft() throws IOException {
        NamespaceTool.Result r = nft.run(null, "list", "counters", "table", PeerCounterRuleset.FAMILY, PeerCounterRuleset.TABLE);
        if (!r.ok()) {
            throw new IOException("listing the counters of " + TABLE + " in " + nft.where() + " failed: "
                    + PeerCounterRuleset.firstError(r.stderr()));
        }
        return checked(PeerCounterRuleset.parseCounters(r.stdout()));
    }

    private Map<String, InterfaceTraffic> checked(Map<String, TrafficCount> raw) throws IOException {
        for (String name : PeerCounterRuleset.keys(interfaces).keySet()) {
            if (!raw.containsKey(name)) {
                throw new IOException("counter " + name + " of " + TABLE + " is missing in " + nft.where()
                        + (raw.isEmpty() ? " (the table is not installed)" : "") + "; install the peer traffic counters again");
            }
        }
        return PeerCounterRuleset.byInterface(interfaces, raw);
    }

    /** Whether the table is present with all its rules. */
    public boolean installed() throws IOException {
        NamespaceTool.Result r = nft.run(null, "list", "table", PeerCounterRuleset.FAMILY, PeerCounterRuleset.TABLE);
        if (r.ok()) {
            return PeerCounterRuleset.complete(r.stdout());
        }
        if (r.stderr().contains("No such file or directory")) {
            return false;
        }
        throw new IOException("listing " + TABLE + " in " + nft.where() + " failed: " + PeerCounterRuleset.firstError(r.stderr()));
    }

    /** Removes the table (idempotent). */
    public void remove() throws IOException {
        NamespaceTool.Result r = nft.run(PeerCounterRuleset.remove(), "-f", "-");
        if (!r.ok()) {
            throw new IOException("removing " + TABLE + " in " + nft.where() + " failed: " + PeerCounterRuleset.firstError(r.stderr()));
        }
    }

    /** Closes the netlink socket; the table stays in the kernel. */
    @Override
    public synchronized void close() throws IOException {
        if (netlink != null) {
            netlink.close();
            netlink = null;
        }
    }

    @Override
    public String toString() {
        return "PeerTrafficCounters[" + TABLE + " in " + nft.where() + ", interfaces " + interfaces + "]";
    }
}
