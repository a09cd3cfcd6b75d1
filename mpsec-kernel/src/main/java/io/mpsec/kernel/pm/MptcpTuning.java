package io.mpsec.kernel.pm;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.CongestionControl;
import io.mpsec.pm.MissingKernelFeatureException;
import io.mpsec.pm.Scheduler;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Scheduler and default congestion control of one namespace, validated against what the kernel
 * lists before anything is written.
 */
public final class MptcpTuning {
    private final NetSysctl sysctl;
    private final MptcpSysctls mptcp;

    public MptcpTuning(NetNamespace ns) {
        this.sysctl = new NetSysctl(ns);
        this.mptcp = new MptcpSysctls(sysctl);
    }

    /** Selects {@code s} for new connections; returns the kernel name used. */
    public String setScheduler(Scheduler s) throws IOException {
        List<String> available = mptcp.availableSchedulers();
        for (String k : s.kernelNames()) {
            if (available.contains(k)) {
                mptcp.setScheduler(k);
                return k;
            }
        }
        String why = s == Scheduler.ROUNDROBIN || s == Scheduler.REDUNDANT
                ? "a kernel with BPF MPTCP schedulers (" + s.kernelNames().get(0) + ", mptcp_net-next tree) and the scheduler loaded"
                : "a kernel that lists it in net.mptcp.available_schedulers";
        throw new MissingKernelFeatureException("MPTCP scheduler '" + s.name() + "'", why,
                "this kernel has: " + available + " (use Scheduler.DEFAULT or one of these names)");
    }

    public Scheduler scheduler() throws IOException {
        return Scheduler.named(mptcp.scheduler());
    }

    public List<String> availableCongestionControls() throws IOException {
        return words(sysctl.read("net.ipv4.tcp_available_congestion_control"));
    }

    /**
     * Sets the namespace's default TCP congestion control (every new subflow uses it). Names the
     * kernel does not list (LIA, OLIA, BALIA, wVegas on mainline) fail with the list it has.
     */
    public void setDefaultCongestionControl(CongestionControl cc) throws IOException {
        List<String> available = availableCongestionControls();
        if (!available.contains(cc.name())) {
            String need = cc.coupled()
                    ? "the out-of-tree multipath-tcp.org kernel (coupled MPTCP congestion control; mainline Linux has none)"
                    : "the tcp_" + cc.name() + " module loaded";
            throw new MissingKernelFeatureException("congestion control '" + cc.name() + "'", need,
                    "this kernel has: " + available);
        }
        sysctl.write("net.ipv4.tcp_congestion_control", cc.name());
    }

    public CongestionControl defaultCongestionControl() throws IOException {
        return new CongestionControl(sysctl.read("net.ipv4.tcp_congestion_control"));
    }

    static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
