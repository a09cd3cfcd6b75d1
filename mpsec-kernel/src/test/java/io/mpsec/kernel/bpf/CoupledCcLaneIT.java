package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.mpsec.kernel.pm.KernelVersion;
import io.mpsec.pm.CongestionControl;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec's BPF LIA, OLIA and BALIA on whatever kernel runs the test: on the host (Linux 6.2+) each
 * loads and carries a short two-path transfer whose subflows {@code ss} shows on it; on the kernel
 * lane's Debian 6.1, which lacks the kfunc {@code bpf_rdonly_cast} (6.2), loading fails with a
 * {@link BpfLoadException} that names exactly that function and release. Both claims are checked
 * independently: {@code bpftool} shows that the object declares the function ({@code linkage=extern}),
 * and {@code /proc/kallsyms} whether the kernel has it.
 *
 * <p>Run it in the lane alone: {@code MPSEC_KL_MODULES=mpsec-kernel MPSEC_KL_INCLUDE='.*CoupledCcLaneIT' kernel-lane/run.sh}.
 */
@Tag("also-kernel-lane")
class CoupledCcLaneIT {
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Pattern FUNC = Pattern.compile("FUNC '([A-Za-z0-9_]+)' type_id=\\d+ linkage=(\\w+)");

    private static List<String> kernelFuncs;

    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).perClass().build();

    @ParameterizedTest
    @ValueSource(strings = {"lia", "olia", "balia"})
    void loadsAndCarriesAConnectionOrNamesTheMissingKernelFunction(String algorithm) throws Exception {
        CongestionControl cc = new CongestionControl(algorithm);
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String kernelName = "mpsec_" + cc.name();
        Path bpftool = Privileged.requireTool("bpftool", "bpftool");
        KernelVersion k = KernelVersion.parse(c.execOk("uname", "-r").stdout().trim());
        assertThat(Files.exists(VMLINUX_BTF)).as("kernel BTF at " + VMLINUX_BTF + " (both the host and Debian 6.1 have it)").isTrue();

        // independent view: the extern functions of the object, and which of them the kernel's BTF lacks
        Path object = Files.createTempFile(kernelName, ".bpf.o");
        List<String> externs;
        List<String> absent = new ArrayList<>();
        try {
            try (InputStream in = CoupledCongestionControl.class.getResourceAsStream("/io/mpsec/kernel/bpf/" + kernelName + ".bpf.o")) {
                Files.write(object, in.readAllBytes());
            }
            externs = funcs(c.execOk(bpftool.toString(), "btf", "dump", "file", object.toString()).stdout(), "extern");
            assertThat(KernelFunctions.declared(LibBpfBinding.lib(), Files.readAllBytes(object)))
                    .as("the extern functions libbpf reads from the object, as bpftool lists them")
                    .containsExactlyInAnyOrderElementsOf(externs);
        } finally {
            Files.deleteIfExists(object);
        }
        assertThat(externs).contains("bpf_rdonly_cast", "tcp_slow_start");
        assertThat(KernelFunctions.missing(LibBpfBinding.lib(), List.of("tcp_slow_start", "mpsec_no_such_kfunc")))
                .as("a name no kernel has is reported missing, one every kernel has is not").containsExactly("mpsec_no_such_kfunc");
        List<String> kernelFuncs = kernelFuncs();
        for (String f : externs) {
            if (!kernelFuncs.contains(f)) {
                absent.add(f);
            }
        }
        System.out.printf("%s on Linux %s: object calls %s; the kernel lacks %s%n", kernelName, k.release(), externs, absent);
        assertThat(absent.isEmpty()).as("bpf_rdonly_cast is a kernel function exactly from 6.2 on: " + absent).isEqualTo(k.atLeast(6, 2));

        CoupledCongestionControl.unregister(kernelName);
        if (absent.isEmpty()) {
            try (CoupledCongestionControl loaded = CoupledCongestionControl.load(cc)) {
                assertThat(loaded.kernelName()).isEqualTo(kernelName);
                if (!c.execOk("ip", "mptcp", "endpoint", "show").stdout().contains(c.address(2).getHostAddress())) {   // shared testbed
                    c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
                }
                try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), kernelName)) {
                    List<SsSubflows.Subflow> sfs = List.of();
                    long end = System.nanoTime() + 20_000_000_000L;
                    while (System.nanoTime() < end && (sfs.size() < 2 || t.received() < 1_000_000)) {
                        Thread.sleep(200);
                        sfs = SsSubflows.of(c, t.socket().getPort());
                    }
                    t.finish();
                    System.out.printf("%s: %d bytes received, ss: %s%n", kernelName, t.received(),
                            sfs.stream().map(sf -> sf.local() + " cwnd " + sf.cwnd() + (sf.uses(kernelName) ? " " + kernelName : "")).toList());
                    assertThat(sfs).as("two subflows in ss").hasSize(2);
                    assertThat(sfs).as("ss names " + kernelName + " on every subflow").allMatch(sf -> sf.uses(kernelName));
                    assertThat(t.received()).isGreaterThanOrEqualTo(1_000_000);
                }
            }
        } else {
            Throwable check = catchThrowable(() -> CoupledCongestionControl.checkLoadable(cc));
            Throwable load = catchThrowable(() -> CoupledCongestionControl.load(cc).close());
            System.out.println(kernelName + " on Linux " + k.release() + ": " + check);
            for (Throwable e : List.of(check, load)) {
                assertThat(e).isInstanceOf(BpfLoadException.class);
                BpfLoadException b = (BpfLoadException) e;
                assertThat(b.missingKernelFunctions()).as("what the product reports missing").containsExactlyElementsOf(absent);
                assertThat(b.getMessage()).contains("lacks the kernel function bpf_rdonly_cast (Linux 6.2+) that " + kernelName + " calls");
                // libbpf resolves the kfunc before the kernel sees a program ("extern (func ksym) 'bpf_rdonly_cast': not
                // found in kernel or module BTFs" on stderr, then EINVAL from libbpf 1.1.2): there is no verifier log, so
                // the reason comes from comparing BTFs, not from a log
                assertThat(b.verifierLog()).isEmpty();
                assertThat(b.errno()).isNotEqualTo(io.mpsec.kernel.ffi.Errno.EPERM);
            }
            assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).doesNotContain(kernelName);
        }
    }

    /**
     * The kernel's function names from {@code /proc/kallsyms}: a source independent of the BTF the
     * product reads (and cheap: dumping the kernel BTF with bpftool takes about a minute in the lane).
     */
    private static synchronized List<String> kernelFuncs() throws java.io.IOException {
        if (kernelFuncs == null) {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/kallsyms"))) {
                String[] f = line.split("\\s+");
                if (f.length >= 3 && (f[1].equals("T") || f[1].equals("t"))) {
                    out.add(f[2]);
                }
            }
            kernelFuncs = out;
        }
        return kernelFuncs;
    }

    /** The FUNC names of a {@code bpftool btf dump} with this linkage (any when null). */
    private static List<String> funcs(String dump, String linkage) {
        List<String> out = new ArrayList<>();
        Matcher m = FUNC.matcher(dump);
        while (m.find()) {
            if (linkage == null || linkage.equals(m.group(2))) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
