package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.pm.CongestionControl;
import io.mpsec.pm.MissingKernelFeatureException;
import io.mpsec.testbed.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loading and sharing {@code mpsec_lia} on the real kernel, without traffic: the host-wide
 * registration is shared in the JVM, reused when another process made it (here bpftool), removable
 * for recovery, and a thread without CAP_SYS_ADMIN and without CAP_BPF (or CAP_PERFMON) gets an
 * error that says what it lacks.
 */
class CoupledCongestionControlLoadIT {
    private static final String LIA = "mpsec_lia";
    private static final Path AVAILABLE = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");
    private static final String OBJECT = "src/main/resources/io/mpsec/kernel/bpf/mpsec_lia.bpf.o";

    @BeforeEach
    void noLeftoverRegistration() throws Exception {
        Privileged.require();
        CoupledCongestionControl.unregister(LIA);   // a crashed earlier run may have left one
        assertThat(available()).doesNotContain(LIA);
    }

    @Test
    void handlesInOneJvmShareTheRegistration() throws Exception {
        try (CoupledCongestionControl a = CoupledCongestionControl.load(CongestionControl.LIA)) {
            assertThat(a.registeredHere()).isTrue();
            try (CoupledCongestionControl b = CoupledCongestionControl.load(CongestionControl.LIA)) {
                assertThat(b.kernelName()).isEqualTo(LIA);
                assertThat(available()).contains(LIA);
            }
            assertThat(available()).as("still registered while a handle is open").contains(LIA);
        }
        assertThat(available()).as("unregistered by the last close").doesNotContain(LIA);
    }

    @Test
    void reusesARegistrationMadeByAnotherProcessAndCanRemoveIt() throws Exception {
        Path bpftool = Privileged.requireTool("bpftool", "bpftool");
        Process p = new ProcessBuilder(bpftool.toString(), "struct_ops", "register", OBJECT).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("bpftool struct_ops register: " + out).isZero();
        try {
            assertThat(available()).contains(LIA);
            try (CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA)) {
                System.out.println("registered by bpftool, then loaded: " + lia);
                assertThat(lia.registeredHere()).isFalse();
                assertThat(lia.connections()).as("its state map is found by name").isEmpty();
            }
            assertThat(available()).as("a reused registration is left in place").contains(LIA);
            assertThat(CoupledCongestionControl.unregister(LIA)).isTrue();
            assertThat(available()).doesNotContain(LIA);
            assertThat(CoupledCongestionControl.unregister(LIA)).as("nothing left to remove").isFalse();
        } finally {
            CoupledCongestionControl.unregister(LIA);
        }
    }

    @Test
    void aReusedOliaRegistrationFindsItsStateMapDespiteTheKernelsNameLimit() throws Exception {
        // mpsec_olia_conns has 16 characters; the kernel keeps 15 (BPF_OBJ_NAME_LEN), so the lookup must cut it too
        Path bpftool = Privileged.requireTool("bpftool", "bpftool");
        CoupledCongestionControl.unregister("mpsec_olia");
        Process p = new ProcessBuilder(bpftool.toString(), "struct_ops", "register",
                "src/main/resources/io/mpsec/kernel/bpf/mpsec_olia.bpf.o").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("bpftool struct_ops register: " + out).isZero();
        try (CoupledCongestionControl olia = CoupledCongestionControl.load(CongestionControl.OLIA)) {
            assertThat(olia.registeredHere()).isFalse();
            assertThat(olia.oliaConnections()).as("its state map (kernel name mpsec_olia_conn) is found").isEmpty();
        } finally {
            CoupledCongestionControl.unregister("mpsec_olia");
        }
    }

    @Test
    void withoutCapBpfAndCapSysAdminTheErrorSaysSo() throws Exception {
        Throwable e = loadWithout(Privileges.CAP_BPF, Privileges.CAP_SYS_ADMIN);
        assertThat(e).isInstanceOf(BpfLoadException.class)
                .hasMessageContaining("needs CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON")
                .hasMessageContaining("lacks CAP_SYS_ADMIN, CAP_BPF");
        assertThat(((BpfLoadException) e).errno()).isEqualTo(io.mpsec.kernel.ffi.Errno.EPERM);
        assertThat(available()).doesNotContain(LIA);
    }

    @Test
    void capBpfAloneIsNotEnoughAndTheErrorSaysPerfmon() throws Exception {
        Throwable e = loadWithout(Privileges.CAP_PERFMON, Privileges.CAP_SYS_ADMIN);
        assertThat(e).isInstanceOf(BpfLoadException.class).hasMessageContaining("lacks CAP_SYS_ADMIN, CAP_PERFMON");
        assertThat(available()).doesNotContain(LIA);
    }

    /** Loads on a fresh thread whose effective set lacks {@code caps}; returns what was thrown (null if none). */
    private static Throwable loadWithout(int... caps) throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                ThreadCapabilities.dropEffective(caps);
                try (CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA)) {
                    failure.complete(null);
                }
            } catch (Throwable e) {
                failure.complete(e);
            }
        });
        t.start();
        Throwable e = failure.get(30, TimeUnit.SECONDS);
        System.out.println("load without caps " + java.util.Arrays.toString(caps) + ": " + e);
        return e;
    }

    @Test
    void unregisterAlsoForgetsThisJvmsRegistration() throws Exception {
        try (CoupledCongestionControl old = CoupledCongestionControl.load(CongestionControl.LIA)) {
            assertThat(CoupledCongestionControl.unregister(LIA)).isTrue();
            assertThat(available()).doesNotContain(LIA);
            try (CoupledCongestionControl fresh = CoupledCongestionControl.load(CongestionControl.LIA)) {
                assertThat(fresh.registeredHere()).isTrue();
                assertThat(available()).contains(LIA);
                old.close();   // the stale handle's close must not remove the fresh registration
                assertThat(available()).contains(LIA);
            }
            assertThat(available()).doesNotContain(LIA);
        }
    }

    @Test
    void checkLoadableLoadsWithoutRegistering() throws Exception {
        CoupledCongestionControl.checkLoadable(CongestionControl.LIA);
        assertThat(available()).doesNotContain(LIA);
    }

    @Test
    void aVerifierRejectionCarriesTheVerifierLog() throws Exception {
        byte[] rejected;
        try (var in = getClass().getResourceAsStream("/io/mpsec/kernel/bpf/rejected.bpf.o")) {
            rejected = in.readAllBytes();
        }
        assertThatThrownBy(() -> LoadedObject.openAndLoad(LibBpfBinding.lib(), "mpsec_rejected", rejected).close())
                .isInstanceOfSatisfying(BpfLoadException.class, e -> {
                    System.out.println("rejected object: " + e.getMessage().lines().findFirst().orElse("")
                            + " / verifier log " + e.verifierLog().length() + " chars, ends: "
                            + e.verifierLog().strip().lines().reduce((a, b) -> b).orElse(""));
                    assertThat(e.getMessage()).contains("verifier rejected").contains("verifier log");
                    assertThat(e.errno()).isEqualTo(io.mpsec.kernel.ffi.Errno.EACCES);
                    // the log quotes the rejected source line (BTF line info) and the verifier's verdict
                    assertThat(e.verifierLog()).contains("mpsec_rej_cong_avoid").contains("priv[ack] = acked")
                            .contains("invalid variable offset");
                });
    }

    @Test
    void uncoupledAlgorithmsHaveNoBpfVersion() {
        assertThatThrownBy(() -> CoupledCongestionControl.load(CongestionControl.CUBIC))
                .isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("cubic").hasMessageContaining("not a coupled algorithm");
    }

    private static String available() throws Exception {
        return Files.readString(AVAILABLE).trim();
    }
}
