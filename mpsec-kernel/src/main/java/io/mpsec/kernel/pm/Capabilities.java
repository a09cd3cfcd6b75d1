package io.mpsec.kernel.pm;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.MissingKernelFeatureException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Probes what the kernel offers for MPTCP path management in one namespace ({@link CapabilityReport}). */
public final class Capabilities {
    // include/uapi/linux/tcp.h (6.10+) and include/uapi/linux/mptcp.h (6.5+)
    static final int SOL_TCP = 6;
    static final int TCP_IS_MPTCP = 43;
    static final int SOL_MPTCP = 284;
    static final int MPTCP_FULL_INFO = 4;

    private Capabilities() {
    }

    public static CapabilityReport probe(NetNamespace ns) throws IOException {
        NetSysctl sysctl = new NetSysctl(ns);
        MptcpSysctls mptcp = new MptcpSysctls(sysctl);
        MptcpTuning tuning = new MptcpTuning(ns);
        List<String> notes = new ArrayList<>();
        boolean enabled = mptcp.enabled();
        if (!enabled) {
            notes.add("net.mptcp.enabled is 0 in this namespace: MPTCP sockets fall back to TCP");
        }
        boolean family;
        try (MptcpPathManager pm = MptcpPathManager.open(ns)) {
            family = true;
        } catch (MissingKernelFeatureException e) {
            family = false;
            notes.add(e.getMessage());
        }
        List<String> schedulers = mptcp.availableSchedulers();
        if (!schedulers.contains("bpf_rr")) {
            notes.add("no BPF MPTCP schedulers (bpf_rr/bpf_red): Scheduler.ROUNDROBIN and REDUNDANT are unavailable");
        }
        List<String> ccs = tuning.availableCongestionControls();
        if (ccs.stream().noneMatch(c -> c.equals("lia") || c.equals("olia") || c.equals("balia") || c.equals("wvegas"))) {
            notes.add("no coupled MPTCP congestion control in the kernel (LIA/OLIA/BALIA/wVegas exist only in the "
                    + "multipath-tcp.org kernel); MPSec's BPF versions of LIA, OLIA, BALIA and wVegas (mpsec_lia, "
                    + "mpsec_olia, mpsec_balia, mpsec_wvegas) load on Linux 6.2+ with BTF through io.mpsec.kernel.bpf.CoupledCongestionControl; "
                    + "'mpsec-agent doctor' says per algorithm whether they load here");
        }
        Set<EndpointFlag> flags = EnumSet.noneOf(EndpointFlag.class);
        for (EndpointFlag f : EndpointFlag.values()) {
            if (MptcpPathManager.supportsFlag(f)) {
                flags.add(f);
            }
        }
        boolean isMptcp = probeSockopt(ns, Syscalls.IPPROTO_TCP, SOL_TCP, TCP_IS_MPTCP);
        boolean fullInfo = probeSockopt(ns, Syscalls.IPPROTO_MPTCP, SOL_MPTCP, MPTCP_FULL_INFO);
        return new CapabilityReport(KernelVersion.current().release(), enabled, family, mptcp.pathManager(),
                mptcp.availablePathManagers(), mptcp.scheduler(), schedulers,
                tuning.defaultCongestionControl().name(), ccs, flags, isMptcp, fullInfo, notes);
    }

    /**
     * Whether getsockopt(level, opt) is known: EOPNOTSUPP / ENOPROTOOPT mean the kernel lacks it;
     * anything else (success, or EINVAL for a too small buffer) means it exists.
     */
    private static boolean probeSockopt(NetNamespace ns, int proto, int level, int opt) throws IOException {
        java.util.concurrent.Callable<Boolean> task = () -> {
            int fd = Syscalls.socketOrErrno(Syscalls.AF_INET, Syscalls.SOCK_STREAM, proto);
            if (fd < 0) {
                return false;
            }
            try {
                byte[] buf = new byte[256];
                int[] len = {buf.length};
                if (Syscalls.libc().getsockopt(fd, level, opt, buf, len) == 0) {
                    return true;
                }
                int e = Syscalls.errno();
                return e != Errno.EOPNOTSUPP && e != Errno.ENOPROTOOPT;
            } finally {
                Syscalls.closeQuietly(fd);
            }
        };
        if (ns != null) {
            return ns.call(task);
        }
        try {
            return task.call();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
