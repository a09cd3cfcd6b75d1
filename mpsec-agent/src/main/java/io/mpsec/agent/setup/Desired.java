package io.mpsec.agent.setup;

import io.mpsec.agent.config.InterfaceSettings;
import io.mpsec.agent.config.MpsecConfig;
import io.mpsec.agent.config.MptcpSettings;
import io.mpsec.agent.setup.NetState.EndpointEntry;
import io.mpsec.agent.setup.NetState.Limits;
import io.mpsec.agent.setup.NetState.RouteEntry;
import io.mpsec.agent.setup.NetState.RuleEntry;
import io.mpsec.agent.setup.NetState.SecureEntry;
import io.mpsec.ipsec.paths.JoinGate;
import io.mpsec.kernel.rtnl.Address;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state a configuration asks for in one namespace, computed against what the kernel there has.
 * Everything that would make the run fail is checked here, before any change: missing interfaces
 * and addresses, and path managers, schedulers and congestion controls the kernel lacks.
 */
final class Desired {
    /** The preference of the source-routing rules setup installs ({@code ip rule ... pref 1000}). */
    static final int RULE_PREF = 1000;
    static final String ALLOWED_CC = "net.ipv4.tcp_allowed_congestion_control";

    private Desired() {
    }

    static NetState of(MpsecConfig config, Target t) throws IOException, SetupException {
        Map<String, String> sysctls = new LinkedHashMap<>();
        mptcpSysctls(config.mptcp(), t, sysctls);
        List<Link> links = t.links();
        List<Address> addresses = t.addresses();
        List<EndpointEntry> endpoints = new ArrayList<>();
        List<RuleEntry> rules = new ArrayList<>();
        Map<Long, List<RouteEntry>> routes = new TreeMap<>();
        for (InterfaceSettings f : config.interfaces()) {
            Link link = links.stream().filter(l -> l.name().equals(f.name())).findFirst().orElseThrow(() -> refuse(
                    "interface " + f.name() + " does not exist in namespace " + t.label() + " (it has: "
                            + links.stream().map(Link::name).toList() + "); fix interfaces[].name or create the interface"));
            Address a = address(f, link, addresses, t);
            String addr = a.address().getHostAddress();
            if (f.endpoint() != null) {
                List<String> flags = f.endpoint().flags().stream().map(x -> x.name().toLowerCase(Locale.ROOT)).toList();
                endpoints.add(new EndpointEntry(f.endpoint().id(), addr, flags, f.name()));
            }
            if (f.sourceRouting() != null) {
                long table = f.sourceRouting().table();
                rules.add(new RuleEntry(RULE_PREF, addr, table));
                List<RouteEntry> r = new ArrayList<>();
                int bits = a.address().getAddress().length * 8;
                if (a.prefixLen() < bits) {
                    r.add(new RouteEntry(subnet(a.address(), a.prefixLen()), null, f.name(), "link", addr, null, 0));
                }
                if (f.sourceRouting().gateway() != null) {
                    r.add(new RouteEntry("default", f.sourceRouting().gateway().getHostAddress(), f.name(), null, null, null, 0));
                }
                routes.put(table, r);
            }
            if (!f.name().contains(".")) { // NetSysctl maps '.' to '/': VLAN names such as eth0.7 cannot be addressed
                String key = "net.ipv4.conf." + f.name() + ".rp_filter";
                String now = t.sysctl().readIfPresent(key).orElse(null);
                if ("1".equals(now)) {
                    sysctls.put(key, "2");
                }
            }
        }
        SecureEntry secure = null;
        if (config.securePaths().enabled()) {
            var peer = config.securePaths().peers().get(0);
            boolean gate = config.securePaths().joinGate() && config.securePaths().failClosed();
            if (gate) {
                // nft --check of every feature the gate uses, committing nothing: refuse before any change
                var cause = JoinGate.unavailabilityCause(t.namespace());
                if (cause.isPresent()) {
                    throw refuse("securePaths.joinGate needs nftables features this host lacks in namespace " + t.label() + ": "
                            + cause.get() + "; install what is named, or set securePaths.joinGate: false (joins are then "
                            + "not gated; see docs/CONFIG.md)");
                }
            }
            secure = new SecureEntry(true, List.of(), gate, SecureState.text(peer.local()), SecureState.text(peer.remote()));
        }
        Limits limits = config.mptcp().limits() == null ? null
                : new Limits(config.mptcp().limits().subflows(), config.mptcp().limits().addAddrAccepted());
        return new NetState(sysctls, limits, endpoints, rules, routes, secure);
    }

    private static void mptcpSysctls(MptcpSettings m, Target t, Map<String, String> out) throws IOException, SetupException {
        MptcpSysctls s = new MptcpSysctls(t.sysctl());
        if (m.enabled() != null) {
            require(t, "net.mptcp.enabled", "MPTCP (Linux 5.6+ with CONFIG_MPTCP)");
            out.put("net.mptcp.enabled", m.enabled() ? "1" : "0");
        }
        String pm = m.effectivePathManager();
        if (pm != null) {
            List<String> available = s.availablePathManagers();
            if (!available.contains(pm)) {
                throw refuse("this kernel lacks the MPTCP path manager '" + pm + "' (" + ("userspace".equals(pm) ? "needs Linux 5.19+"
                        : "not listed") + "); it has " + available + ": change mptcp.pathManager/strategy or use a newer kernel");
            }
            if (t.sysctl().readIfPresent("net.mptcp.path_manager").isPresent()) {
                out.put("net.mptcp.path_manager", pm);
            } else if (t.sysctl().readIfPresent("net.mptcp.pm_type").isPresent()) {
                out.put("net.mptcp.pm_type", "userspace".equals(pm) ? "1" : "0");
            }
        }
        if (m.scheduler() != null) {
            if (t.sysctl().readIfPresent("net.mptcp.scheduler").isEmpty()) {
                if (!"default".equals(m.scheduler())) {
                    throw refuse("this kernel has no MPTCP scheduler choice (net.mptcp.scheduler needs Linux 6.6+), so scheduler '"
                            + m.scheduler() + "' is unavailable: use scheduler: default or a newer kernel");
                }
            } else {
                List<String> available = s.availableSchedulers();
                if (!available.contains(m.scheduler())) {
                    throw refuse("this kernel lacks the MPTCP scheduler '" + m.scheduler() + "' (net.mptcp.available_schedulers = "
                            + String.join(" ", available) + "); BPF schedulers such as bpf_rr/bpf_red need a kernel with BPF "
                            + "struct_ops MPTCP schedulers (mptcp_net-next) and the scheduler loaded. Use one of " + available);
                }
                out.put("net.mptcp.scheduler", m.scheduler());
            }
        }
        if (m.staleLossCnt() != null) {
            require(t, "net.mptcp.stale_loss_cnt", "Linux 5.19+");
            out.put("net.mptcp.stale_loss_cnt", Integer.toString(m.staleLossCnt()));
        }
        if (m.congestionControl() != null) {
            String alg = m.congestionControl().algorithm();
            List<String> available = words(t.sysctl().read("net.ipv4.tcp_available_congestion_control"));
            if (!available.contains(alg)) {
                String need = Set.of("lia", "olia", "balia", "wvegas").contains(alg)
                        ? "coupled MPTCP congestion control exists only in the out-of-tree multipath-tcp.org kernel; mainline Linux has none"
                        : "load the module tcp_" + alg + " (modprobe tcp_" + alg + ") or use a kernel built with it";
                throw refuse("this kernel lacks the congestion control '" + alg + "' (net.ipv4.tcp_available_congestion_control = "
                        + String.join(" ", available) + "): " + need);
            }
            if (m.congestionControl().makeDefault()) {
                out.put("net.ipv4.tcp_congestion_control", alg);
            }
            // host-wide: setting a default marks it allowed in the kernel; setup records and restores the list
            List<String> allowed = words(t.sysctl(ALLOWED_CC).read(ALLOWED_CC));
            Set<String> want = new LinkedHashSet<>(allowed);
            want.add(alg);
            out.put(ALLOWED_CC, String.join(" ", available.stream().filter(want::contains).toList()));
        }
    }

    private static void require(Target t, String key, String need) throws IOException, SetupException {
        if (t.sysctl().readIfPresent(key).isEmpty()) {
            throw refuse("this kernel has no " + key + " (needs " + need + ")");
        }
    }

    private static Address address(InterfaceSettings f, Link link, List<Address> all, Target t) throws SetupException {
        List<Address> mine = all.stream().filter(a -> a.ifIndex() == link.index()).toList();
        if (f.address() != null) {
            return mine.stream().filter(a -> a.address().equals(f.address())).findFirst().orElseThrow(() -> refuse("interface "
                    + f.name() + " in namespace " + t.label() + " does not have the configured address "
                    + f.address().getHostAddress() + " (it has " + mine.stream().map(a -> a.address().getHostAddress()).toList()
                    + "); add it or fix interfaces[].address"));
        }
        List<Address> v4 = mine.stream().filter(a -> a.address() instanceof Inet4Address).toList();
        if (v4.size() == 1) {
            return v4.get(0);
        }
        if (v4.size() > 1) {
            throw refuse("interface " + f.name() + " has several IPv4 addresses " + v4.stream().map(a -> a.address().getHostAddress())
                    .toList() + ": set interfaces[].address to the one to use");
        }
        List<Address> v6 = mine.stream().filter(a -> !a.address().isLinkLocalAddress()).toList();
        if (v6.size() == 1) {
            return v6.get(0);
        }
        throw refuse("interface " + f.name() + " in namespace " + t.label() + (v6.isEmpty() ? " has no address" : " has several "
                + "IPv6 addresses") + ": configure one on the interface, or set interfaces[].address");
    }

    static String subnet(InetAddress a, int len) {
        byte[] b = a.getAddress();
        for (int bit = len; bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + len;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    static SetupException refuse(String message) {
        return new SetupException(message + ". Nothing was changed.", true);
    }
}
