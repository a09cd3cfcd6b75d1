package io.mpsec.kernel.sysctl;

import io.mpsec.pm.MissingKernelFeatureException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The per-namespace MPTCP sysctls ({@code net.mptcp.*}, Documentation/networking/mptcp-sysctl.rst)
 * with the kernel-version differences handled:
 * <ul>
 *   <li>{@code path_manager} (string, 6.15+) and {@code available_path_managers}; on 5.19-6.14 the
 *       integer {@code pm_type} (0 kernel, 1 userspace) is used instead.</li>
 *   <li>{@code scheduler} (6.6+), validated against {@code available_schedulers}.</li>
 * </ul>
 * Other keys (stale_loss_cnt, add_addr_timeout, checksum_enabled, allow_join_initial_addr_port,
 * close_timeout, blackhole_timeout, syn_retrans_before_tcp_fallback) go through {@link #get}/{@link #set}.
 */
public final class MptcpSysctls {
    public static final String PM_KERNEL = "kernel";
    public static final String PM_USERSPACE = "userspace";

    private final NetSysctl sysctl;

    public MptcpSysctls(NetSysctl sysctl) {
        this.sysctl = sysctl;
    }

    public NetSysctl sysctl() {
        return sysctl;
    }

    public boolean enabled() throws IOException {
        return sysctl.readIfPresent("net.mptcp.enabled").map("1"::equals).orElse(false);
    }

    public void setEnabled(boolean on) throws IOException {
        sysctl.write("net.mptcp.enabled", on ? "1" : "0");
    }

    /** {@code kernel} or {@code userspace}. */
    public String pathManager() throws IOException {
        Optional<String> pm = sysctl.readIfPresent("net.mptcp.path_manager");
        if (pm.isPresent()) {
            return pm.get();
        }
        Optional<String> type = sysctl.readIfPresent("net.mptcp.pm_type");
        if (type.isPresent()) {
            return "1".equals(type.get()) ? PM_USERSPACE : PM_KERNEL;
        }
        return PM_KERNEL; // before 5.19 only the in-kernel PM exists
    }

    public List<String> availablePathManagers() throws IOException {
        Optional<String> a = sysctl.readIfPresent("net.mptcp.available_path_managers");
        if (a.isPresent()) {
            return words(a.get());
        }
        return sysctl.readIfPresent("net.mptcp.pm_type").isPresent() ? List.of(PM_KERNEL, PM_USERSPACE) : List.of(PM_KERNEL);
    }

    /** Switches the namespace's path manager for new connections. */
    public void setPathManager(String name) throws IOException {
        List<String> available = availablePathManagers();
        if (!available.contains(name)) {
            throw new MissingKernelFeatureException("path manager '" + name + "'",
                    PM_USERSPACE.equals(name) ? "Linux 5.19+" : "a kernel that lists it in net.mptcp.available_path_managers",
                    "this kernel has: " + available);
        }
        if (sysctl.readIfPresent("net.mptcp.path_manager").isPresent()) {
            sysctl.write("net.mptcp.path_manager", name);
        } else {
            sysctl.write("net.mptcp.pm_type", PM_USERSPACE.equals(name) ? "1" : "0");
        }
    }

    /** The scheduler for new connections, {@code default} when the kernel has no choice (before 6.6). */
    public String scheduler() throws IOException {
        return sysctl.readIfPresent("net.mptcp.scheduler").orElse("default");
    }

    public List<String> availableSchedulers() throws IOException {
        return sysctl.readIfPresent("net.mptcp.available_schedulers").map(MptcpSysctls::words).orElse(List.of("default"));
    }

    /** Sets the scheduler after checking that this kernel lists it. */
    public void setScheduler(String name) throws IOException {
        List<String> available = availableSchedulers();
        if (!available.contains(name)) {
            throw new MissingKernelFeatureException("MPTCP scheduler '" + name + "'",
                    "a kernel that lists it in net.mptcp.available_schedulers (BPF schedulers such as bpf_rr/bpf_red "
                            + "need the mptcp_net-next tree with BPF struct_ops scheduler support)",
                    "this kernel has: " + available);
        }
        sysctl.write("net.mptcp.scheduler", name);
    }

    /** Any {@code net.mptcp.<name>} key, e.g. {@code stale_loss_cnt}. */
    public String get(String name) throws IOException {
        return sysctl.read("net.mptcp." + name);
    }

    public void set(String name, String value) throws IOException {
        sysctl.write("net.mptcp." + name, value);
    }

    static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
