package io.mpsec.agent.doctor;

import io.mpsec.Mptcp;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import io.mpsec.pm.MissingKernelFeatureException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code mptcp.sockets}: whether this process opens MPTCP sockets; {@code mptcp.enabled}: whether MPTCP is on ({@code net.mptcp.enabled}); {@code mptcp.limits}: whether
 * the in-kernel path manager's limits let every endpoint be used (Documentation/networking/mptcp.rst:
 * {@code subflows} bounds the extra subflows of a connection, created and accepted;
 * {@code add_addr_accepted} bounds the peer's announced addresses that are used).
 */
final class MptcpCheck implements Check {
    @Override
    public String name() {
        return "mptcp";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        List<Finding> out = new ArrayList<>();
        out.add(Mptcp.isAvailable() ? Finding.ok("mptcp.sockets", "MPTCP sockets", "this process can open MPTCP sockets", Map.of())
                : Finding.of("mptcp.sockets", Status.FAIL, "MPTCP sockets", "this process cannot open MPTCP sockets: "
                        + Mptcp.unavailabilityCause().getMessage(), "use Linux 5.6+ with CONFIG_MPTCP=y and net.mptcp.enabled=1",
                        Map.of()));
        Optional<String> enabled = t.sysctl().readIfPresent("net.mptcp.enabled");
        if (enabled.isEmpty()) {
            out.add(Finding.of("mptcp.enabled", Status.FAIL, "MPTCP enabled", "this kernel has no MPTCP (no net.mptcp.enabled)",
                    "use Linux 5.6+ built with CONFIG_MPTCP=y", Map.of()));
            return out;
        }
        Map<String, Object> v = Map.of("net.mptcp.enabled", Integer.parseInt(enabled.get()));
        if (!"1".equals(enabled.get())) {
            out.add(Finding.of("mptcp.enabled", Status.FAIL, "MPTCP enabled", "net.mptcp.enabled = " + enabled.get()
                    + ": MPTCP sockets fall back to plain TCP", t.command("sysctl -w net.mptcp.enabled=1"), v));
        } else {
            out.add(Finding.ok("mptcp.enabled", "MPTCP enabled", "net.mptcp.enabled = 1", v));
        }
        try {
            out.add(limits(t));
        } catch (MissingKernelFeatureException e) {
            out.add(Finding.of("mptcp.limits", Status.FAIL, "MPTCP limits", "the in-kernel path manager cannot be read: "
                    + e.getMessage(), "use Linux 5.7+ (generic netlink family mptcp_pm)", Map.of()));
        }
        return out;
    }

    private static Finding limits(Target t) throws Exception {
        String pm = new MptcpSysctls(t.sysctl()).pathManager();
        Limits l = t.limits();
        List<Endpoint> eps = t.endpoints();
        long subflow = eps.stream().filter(e -> e.has(EndpointFlag.SUBFLOW)).count();
        long signal = eps.stream().filter(e -> e.has(EndpointFlag.SIGNAL)).count();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("path_manager", pm);
        v.put("subflows", l.subflows());
        v.put("add_addr_accepted", l.addAddrAccepted());
        v.put("endpoints", eps.size());
        v.put("subflow_endpoints", subflow);
        v.put("signal_endpoints", signal);
        String found = "subflows " + l.subflows() + ", add_addr_accepted " + l.addAddrAccepted() + "; " + eps.size()
                + " endpoint(s): " + subflow + " subflow, " + signal + " signal";
        if (MptcpSysctls.PM_USERSPACE.equals(pm)) {
            return Finding.of("mptcp.limits", Status.INFO, "MPTCP limits", found
                    + "; the userspace path manager is active, so the kernel ignores endpoints and these limits",
                    null, v);
        }
        List<String> problems = new ArrayList<>();
        long needed = Math.max(subflow, signal);
        if (subflow > l.subflows()) {
            problems.add(subflow + " subflow endpoints but subflows " + l.subflows() + ": only " + l.subflows()
                    + " extra subflow(s) per connection are created");
        }
        if (signal > l.subflows()) {
            problems.add(signal + " signal endpoints but subflows " + l.subflows() + ": the peer's joins to the announced "
                    + "addresses beyond " + l.subflows() + " are refused");
        }
        String hint = l.addAddrAccepted() == 0 ? "; add_addr_accepted 0: addresses the peer announces are not used "
                + "(raise it if the peer has signal endpoints)" : "";
        if (problems.isEmpty()) {
            return Finding.ok("mptcp.limits", "MPTCP limits", found + hint, v);
        }
        return Finding.of("mptcp.limits", Status.WARN, "MPTCP limits", found + ": " + String.join("; ", problems) + hint,
                t.command("ip mptcp limits set subflows " + Math.min(8, needed) + " add_addr_accepted " + l.addAddrAccepted())
                        + " (at most 8)", v);
    }
}
