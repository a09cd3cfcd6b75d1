package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.sysctl.MptcpSysctls;
import io.mpsec.kernel.sysctl.NetSysctl;
import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.CongestionControl;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.MissingKernelFeatureException;
import io.mpsec.pm.Scheduler;
import io.mpsec.testbed.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scheduler, congestion control, sysctls per namespace and the capability report, on the real kernel. */
class TuningIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    @Test
    void sysctlsFollowTheNamespaceThread() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.sysctl("net.mptcp.stale_loss_cnt", "7");
        s.sysctl("net.mptcp.stale_loss_cnt", "5");
        try (NetNamespace nc = NetNamespace.open(c.namespace()); NetNamespace ns = NetNamespace.open(s.namespace())) {
            assertThat(new MptcpSysctls(new NetSysctl(nc)).get("stale_loss_cnt")).isEqualTo("7");
            assertThat(new MptcpSysctls(new NetSysctl(ns)).get("stale_loss_cnt")).isEqualTo("5");
            new MptcpSysctls(new NetSysctl(nc)).set("stale_loss_cnt", "9");
            assertThat(c.sysctl("net.mptcp.stale_loss_cnt")).isEqualTo("9");
            assertThat(s.sysctl("net.mptcp.stale_loss_cnt")).isEqualTo("5");
            MptcpSysctls m = new MptcpSysctls(new NetSysctl(nc));
            m.setPathManager("userspace");
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("userspace");
            assertThat(s.sysctl("net.mptcp.path_manager")).isEqualTo("kernel");
            assertThat(m.pathManager()).isEqualTo("userspace");
            assertThatThrownBy(() -> m.setPathManager("fullmesh")).isInstanceOf(MissingKernelFeatureException.class)
                    .hasMessageContaining("[kernel, userspace]");
        }
    }

    @Test
    void missingSchedulerIsAClearErrorListingDefault() throws Exception {
        Testbed.Host c = NET.host("c");
        try (NetNamespace nc = NetNamespace.open(c.namespace())) {
            MptcpTuning t = new MptcpTuning(nc);
            String available = c.sysctl("net.mptcp.available_schedulers");
            System.out.println("available_schedulers: " + available);
            if (!available.contains("bpf_rr")) {
                assertThatThrownBy(() -> t.setScheduler(Scheduler.ROUNDROBIN))
                        .isInstanceOf(MissingKernelFeatureException.class)
                        .hasMessageContaining("roundrobin").hasMessageContaining("bpf_rr").hasMessageContaining("[default");
            }
            assertThatThrownBy(() -> t.setScheduler(Scheduler.named("nosuchsched")))
                    .isInstanceOfSatisfying(MissingKernelFeatureException.class, e -> {
                        System.out.println(e.getMessage());
                        assertThat(e.getMessage()).contains("default");
                    });
            assertThat(c.sysctl("net.mptcp.scheduler")).isEqualTo("default");
            assertThat(t.setScheduler(Scheduler.DEFAULT)).isEqualTo("default");
            assertThat(c.sysctl("net.mptcp.scheduler")).isEqualTo("default");
            assertThat(t.scheduler()).isEqualTo(Scheduler.DEFAULT);
        }
    }

    @Test
    void congestionControlPerNamespace() throws Exception {
        Testbed.Host c = NET.host("c");
        try (NetNamespace nc = NetNamespace.open(c.namespace())) {
            MptcpTuning t = new MptcpTuning(nc);
            String available = c.sysctl("net.ipv4.tcp_available_congestion_control");
            if (!available.contains("olia")) {
                assertThatThrownBy(() -> t.setDefaultCongestionControl(CongestionControl.OLIA))
                        .isInstanceOfSatisfying(MissingKernelFeatureException.class, e -> {
                            System.out.println(e.getMessage());
                            assertThat(e.getMessage()).contains("olia").contains("multipath-tcp.org").contains(available.split(" ")[0]);
                        });
            }
            String before = c.sysctl("net.ipv4.tcp_congestion_control");
            String other = available.contains("reno") && !before.equals("reno") ? "reno" : "cubic";
            t.setDefaultCongestionControl(new CongestionControl(other));
            assertThat(c.sysctl("net.ipv4.tcp_congestion_control")).isEqualTo(other);
            assertThat(t.defaultCongestionControl().name()).isEqualTo(other);
        }
    }

    @Test
    void capabilityReport() throws Exception {
        Testbed.Host c = NET.host("c");
        try (NetNamespace nc = NetNamespace.open(c.namespace())) {
            CapabilityReport r = Capabilities.probe(nc);
            System.out.println(r);
            assertThat(r.mptcpEnabled()).isTrue();
            assertThat(r.pmFamily()).isTrue();
            assertThat(r.pathManagers()).contains("kernel");
            assertThat(String.join(" ", r.schedulers())).isEqualTo(c.sysctl("net.mptcp.available_schedulers"));
            assertThat(String.join(" ", r.congestionControls())).isEqualTo(c.sysctl("net.ipv4.tcp_available_congestion_control"));
            assertThat(r.endpointFlags()).contains(EndpointFlag.SIGNAL, EndpointFlag.SUBFLOW, EndpointFlag.BACKUP, EndpointFlag.FULLMESH);
            KernelVersion k = KernelVersion.current();
            assertThat(r.tcpIsMptcp()).isEqualTo(k.atLeast(6, 10));
            assertThat(r.mptcpFullInfo()).isEqualTo(k.atLeast(6, 5));
            c.sysctl("net.mptcp.enabled", "0");
            assertThat(Capabilities.probe(nc).notes()).anyMatch(n -> n.contains("net.mptcp.enabled is 0"));
        }
    }
}
