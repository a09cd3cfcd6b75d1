package io.mpsec.agent.doctor;

import io.mpsec.kernel.bpf.CoupledCongestionControl;
import io.mpsec.kernel.pm.KernelVersion;
import io.mpsec.pm.CongestionControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cc.lia}, {@code cc.olia}, {@code cc.balia}, {@code cc.wvegas}: for each coupled MPTCP
 * congestion control, whether it can be used here. The kernel's own algorithm (out-of-tree
 * multipath-tcp.org kernels list {@code lia}) applies when listed. Otherwise MPSec's BPF version
 * ({@code mpsec_<name>}, shipped in mpsec-kernel as {@code mpsec_<name>.bpf.o}) is loaded for real
 * with {@link CoupledCongestionControl#checkLoadable} (libbpf, BTF, CO-RE, verifier, privileges; nothing
 * is registered), and the likely reasons of a failure are named: no BTF, Linux before 6.2
 * ({@code bpf_rdonly_cast}), missing capabilities, no libbpf. Non-root processes can select an
 * algorithm only when {@code net.ipv4.tcp_allowed_congestion_control} lists it.
 */
final class CoupledCcCheck implements Check {
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final List<CongestionControl> COUPLED = List.of(CongestionControl.LIA, CongestionControl.OLIA,
            CongestionControl.BALIA, CongestionControl.WVEGAS);

    @Override
    public String name() {
        return "cc";
    }

    @Override
    public List<Finding> run(Target t) throws Exception {
        List<String> available = words(t.procSys("net", "ipv4", "tcp_available_congestion_control").orElse(""));
        List<String> allowed = words(t.procSys("net", "ipv4", "tcp_allowed_congestion_control").orElse(""));
        List<Finding> out = new ArrayList<>();
        for (CongestionControl cc : COUPLED) {
            out.add(check(t, cc, available, allowed));
        }
        return out;
    }

    private static Finding check(Target t, CongestionControl cc, List<String> available, List<String> allowed) {
        String id = "cc." + cc.name();
        String title = "Coupled congestion control " + cc.name().toUpperCase(java.util.Locale.ROOT);
        Map<String, Object> v = new LinkedHashMap<>();
        if (available.contains(cc.name())) {
            v.put("provider", "kernel");
            v.put("kernel_name", cc.name());
            v.put("allowed_for_non_root", allowed.contains(cc.name()));
            return Finding.of(id, Status.OK, title, "the kernel's own " + cc.name() + " is available and applies (MPSec loads "
                    + "nothing)", allowedHint(t, cc.name(), allowed), v);
        }
        String kernelName = "mpsec_" + cc.name();
        v.put("kernel_name", kernelName);
        if (CoupledCongestionControl.class.getResource("/io/mpsec/kernel/bpf/" + kernelName + ".bpf.o") == null) {
            v.put("provider", "none");
            return Finding.of(id, Status.INFO, title, "the kernel has no " + cc.name() + " and MPSec has no BPF version of it "
                    + "yet; connections use the default congestion control on each subflow", null, v);
        }
        v.put("provider", "mpsec-bpf");
        v.put("registered", available.contains(kernelName));
        v.put("allowed_for_non_root", allowed.contains(kernelName));
        List<String> reasons = reasons();
        v.put("reasons", reasons);
        try {
            CoupledCongestionControl.checkLoadable(cc);
        } catch (IOException | RuntimeException | LinkageError e) {
            v.put("loadable", false);
            v.put("error", String.valueOf(e.getMessage()));
            String why = reasons.isEmpty() ? "" : "; likely because: " + String.join("; ", reasons);
            return Finding.of(id, Status.WARN, title, "MPSec's " + kernelName + " cannot load here: " + e.getMessage() + why
                    + "; connections use the default congestion control on each subflow",
                    reasons.isEmpty() ? "see the error above" : "fix the reasons listed", v);
        }
        v.put("loadable", true);
        return Finding.of(id, Status.OK, title, "MPSec's " + kernelName + " loads here (verified by loading it, nothing "
                + "registered)" + (available.contains(kernelName) ? "; it is registered now" : ""),
                allowedHint(t, kernelName, allowed), v);
    }

    private static String allowedHint(Target t, String name, List<String> allowed) {
        if (allowed.contains(name)) {
            return null;
        }
        List<String> more = new ArrayList<>(allowed);
        more.add(name);
        return "non-root processes can select it only if net.ipv4.tcp_allowed_congestion_control lists it: "
                + t.command("sysctl -w net.ipv4.tcp_allowed_congestion_control='" + String.join(" ", more) + "'");
    }

    /** What this host lacks for MPSec's BPF congestion controls, measured here. */
    static List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (!Files.exists(VMLINUX_BTF)) {
            out.add("no kernel BTF at " + VMLINUX_BTF + " (needs CONFIG_DEBUG_INFO_BTF=y)");
        }
        KernelVersion k = KernelVersion.current();
        if (!k.atLeast(6, 2)) {
            out.add("Linux " + k.release() + " is older than 6.2 (bpf_rdonly_cast, used by MPSec's BPF programs, "
                    + "and struct_ops congestion control as MPSec uses it need 6.2+)");
        }
        CoupledCongestionControl.missingPrivileges().ifPresent(m ->
                out.add("this process lacks " + m + " (loading needs CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON): run as root"));
        if (!libbpfPresent()) {
            out.add("libbpf 1.1+ is missing (Debian: apt-get install libbpf1)");
        }
        return out;
    }

    private static boolean libbpfPresent() {
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/usr/local/lib"}) {
            if (Files.exists(Path.of(dir, "libbpf.so.1")) || Files.exists(Path.of(dir, "libbpf.so"))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
    }
}
