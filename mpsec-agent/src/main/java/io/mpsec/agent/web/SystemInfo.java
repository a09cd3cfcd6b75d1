package io.mpsec.agent.web;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.KernelVersion;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.pm.MptcpTuning;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.Limits;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The system panel: kernel, MPTCP sysctls, path manager, scheduler, congestion control, endpoints and
 * limits of each namespace (through {@link MptcpPathManager}), and CPU and memory of the host
 * ({@code /proc/stat}, {@code /proc/meminfo}) and of the agent (process CPU time, {@code VmRSS}).
 * CPU is the share of all CPUs since the previous call.
 */
final class SystemInfo {
    static final List<String> MPTCP_SYSCTLS = List.of("enabled", "path_manager", "pm_type", "scheduler",
            "available_schedulers", "available_path_managers", "checksum_enabled", "allow_join_initial_addr_port",
            "add_addr_timeout", "stale_loss_cnt", "blackhole_timeout", "close_timeout");
    private final long startMillis = System.currentTimeMillis();
    private long[] lastHostCpu;
    private long lastAgentCpuNanos = -1;
    private long lastAgentWallNanos;

    synchronized Views.SystemView read(Map<String, NetNamespace> namespaces, Map<String, Map<Integer, String>> ifNames) {
        List<Views.NamespaceSystem> ns = new ArrayList<>();
        namespaces.forEach((label, n) -> ns.add(namespace(label, n, ifNames.getOrDefault(label, Map.of()))));
        int cpus = Runtime.getRuntime().availableProcessors();
        Views.Usage host = host();
        return new Views.SystemView(System.currentTimeMillis(), KernelVersion.current().release(), cpus, host,
                agent(cpus, host.memoryTotalBytes()),
                (System.currentTimeMillis() - startMillis) / 1000, ns);
    }

    private static Views.NamespaceSystem namespace(String label, NetNamespace n, Map<Integer, String> ifNames) {
        List<String> errors = new ArrayList<>();
        NetSysctl sysctl = new NetSysctl(n);
        MptcpSysctls mptcp = new MptcpSysctls(sysctl);
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : MPTCP_SYSCTLS) {
            try {
                sysctl.readIfPresent("net.mptcp." + key).ifPresent(v -> values.put("net.mptcp." + key, v));
            } catch (IOException e) {
                errors.add("net.mptcp." + key + ": " + e.getMessage());
            }
        }
        MptcpTuning tuning = new MptcpTuning(n);
        Boolean enabled = values.containsKey("net.mptcp.enabled") ? "1".equals(values.get("net.mptcp.enabled")) : null;
        String pm = attempt(errors, "path manager", mptcp::pathManager);
        List<String> pms = attempt(errors, "path managers", mptcp::availablePathManagers);
        String sched = values.get("net.mptcp.scheduler");
        List<String> scheds = attempt(errors, "schedulers", mptcp::availableSchedulers);
        String cc = attempt(errors, "congestion control", () -> tuning.defaultCongestionControl().name());
        List<String> ccs = attempt(errors, "congestion controls", tuning::availableCongestionControls);
        Integer subflows = null;
        Integer addAddr = null;
        List<Views.EndpointView> endpoints = new ArrayList<>();
        try (MptcpPathManager m = MptcpPathManager.open(n)) {
            Limits l = m.limits();
            subflows = l.subflows();
            addAddr = l.addAddrAccepted();
            for (Endpoint e : m.endpoints()) {
                List<String> flags = new ArrayList<>();
                e.flags().forEach(f -> flags.add(f.name().toLowerCase(Locale.ROOT)));
                endpoints.add(new Views.EndpointView(e.id(), e.address().getHostAddress(), e.port(), flags,
                        e.ifIndex() == 0 ? null : ifNames.getOrDefault(e.ifIndex(), "if" + e.ifIndex())));
            }
        } catch (IOException | RuntimeException e) {
            errors.add("path manager endpoints and limits: " + e.getMessage());
        }
        return new Views.NamespaceSystem(label, enabled, pm, pms, sched, scheds, cc, ccs, values, subflows, addAddr,
                endpoints, errors);
    }

    private interface Read<T> {
        T get() throws IOException;
    }

    private static <T> T attempt(List<String> errors, String what, Read<T> r) {
        try {
            return r.get();
        } catch (IOException | RuntimeException e) {
            errors.add(what + ": " + e.getMessage());
            return null;
        }
    }

    private Views.Usage host() {
        Double cpu = null;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            long[] now = {total, idle};
            if (lastHostCpu != null && now[0] > lastHostCpu[0]) {
                cpu = 1.0 - (double) (now[1] - lastHostCpu[1]) / (now[0] - lastHostCpu[0]);
            }
            lastHostCpu = now;
        } catch (IOException | RuntimeException e) {
            // no /proc/stat: CPU unknown
        }
        Map<String, Long> mem = kibFields(Path.of("/proc/meminfo"));
        long total = mem.getOrDefault("MemTotal", 0L);
        return new Views.Usage(cpu, total - mem.getOrDefault("MemAvailable", total), total);
    }

    private Views.Usage agent(int cpus, long hostMemory) {
        Double cpu = null;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long now = System.nanoTime();
            long used = os.getProcessCpuTime();
            if (lastAgentCpuNanos >= 0 && now > lastAgentWallNanos) {
                cpu = (double) (used - lastAgentCpuNanos) / (now - lastAgentWallNanos) / cpus;
            }
            lastAgentCpuNanos = used;
            lastAgentWallNanos = now;
        }
        long rss = kibFields(Path.of("/proc/self/status")).getOrDefault("VmRSS", 0L);
        return new Views.Usage(cpu, rss, hostMemory);
    }

    /** "Name:   123 kB" lines, in bytes. */
    static Map<String, Long> kibFields(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.split(":\\s+");
                if (kv.length == 2 && kv[1].endsWith(" kB")) {
                    out.put(kv[0], Long.parseLong(kv[1].substring(0, kv[1].length() - 3).trim()) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: empty
        }
        return out;
    }
}
