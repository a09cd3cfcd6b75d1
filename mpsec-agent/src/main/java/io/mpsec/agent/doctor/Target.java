package io.mpsec.agent.doctor;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.rtnl.Address;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.rtnl.Rtnetlink;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The network namespace being diagnosed (a named one, or the caller's own) and what the checks read
 * from it, each read once: sysctls, MPTCP endpoints and limits, links and addresses.
 */
public final class Target implements AutoCloseable {
    private final NetNamespace ns;
    private final NetSysctl sysctl;
    private List<Endpoint> endpoints;
    private Limits limits;
    private List<Link> links;
    private List<Address> addresses;

    private Target(NetNamespace ns) {
        this.ns = ns;
        this.sysctl = new NetSysctl(ns);
    }

    /** The caller's own namespace. */
    public static Target current() {
        return new Target(null);
    }

    /** The named namespace ({@code ip netns} name); fails with what to do when it does not exist. */
    public static Target named(String name) throws IOException {
        return new Target(NetNamespace.open(name));
    }

    /** Wraps an open namespace (closing the target closes it); {@code null}: the caller's own. */
    public static Target of(NetNamespace ns) {
        return new Target(ns);
    }

    /** The namespace, or {@code null} for the caller's own. */
    public NetNamespace namespace() {
        return ns;
    }

    /** The namespace name, or {@code null} for the caller's own. */
    public String name() {
        return ns == null ? null : ns.name();
    }

    /** {@code command} as the user would type it for this namespace ({@code ip netns exec NAME ...} for a named one). */
    public String command(String command) {
        return ns == null ? command : "ip netns exec " + ns.name() + " " + command;
    }

    public NetSysctl sysctl() {
        return sysctl;
    }

    /**
     * A file under /proc/sys of this namespace by its path parts (for keys whose parts contain dots,
     * such as {@code net/ipv4/conf/eth0.100/rp_filter}), trimmed; empty when absent.
     */
    public Optional<String> procSys(String... parts) throws IOException {
        Path p = Path.of("/proc/sys", parts);
        java.util.concurrent.Callable<Optional<String>> read = () -> Files.exists(p)
                ? Optional.of(Files.readString(p).trim()) : Optional.empty();
        if (ns != null) {
            return ns.call(read);
        }
        try {
            return read.call();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** The in-kernel path manager's endpoints (mptcp_pm GET_ADDR dump). */
    public synchronized List<Endpoint> endpoints() throws IOException {
        if (endpoints == null) {
            readPm();
        }
        return endpoints;
    }

    /** The in-kernel path manager's limits (mptcp_pm GET_LIMITS). */
    public synchronized Limits limits() throws IOException {
        if (limits == null) {
            readPm();
        }
        return limits;
    }

    private void readPm() throws IOException {
        try (MptcpPathManager pm = MptcpPathManager.open(ns)) {
            endpoints = List.copyOf(pm.endpoints());
            limits = pm.limits();
        }
    }

    public synchronized List<Link> links() throws IOException {
        if (links == null) {
            try (Rtnetlink rt = Rtnetlink.open(ns)) {
                links = List.copyOf(rt.links());
            }
        }
        return links;
    }

    public synchronized List<Address> addresses() throws IOException {
        if (addresses == null) {
            try (Rtnetlink rt = Rtnetlink.open(ns)) {
                addresses = List.copyOf(rt.addresses());
            }
        }
        return addresses;
    }

    /** The name of interface {@code ifIndex}, or empty when there is none. */
    public Optional<String> linkName(int ifIndex) throws IOException {
        return links().stream().filter(l -> l.index() == ifIndex).map(Link::name).findFirst();
    }

    /** The interface that holds {@code address}, or empty when no interface has it. */
    public Optional<String> interfaceOf(InetAddress address) throws IOException {
        for (Address a : addresses()) {
            if (a.address().equals(address)) {
                return linkName(a.ifIndex());
            }
        }
        return Optional.empty();
    }

    /**
     * The inode of the namespace (nsfs), to tell which processes live in it: {@code /var/run/netns/NAME},
     * or for the caller's own {@code /proc/thread-self/ns/net} read on the calling thread.
     */
    public long namespaceInode() throws IOException {
        Path p = ns == null ? Path.of("/proc/thread-self/ns/net") : NetNamespace.NETNS_RUN_DIR.resolve(ns.name());
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Override
    public void close() {
        if (ns != null) {
            ns.close();
        }
    }
}
