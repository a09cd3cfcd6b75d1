package io.mpsec.kernel.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.pm.MissingKernelFeatureException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The version differences of net.mptcp.*, on emulated sysctl trees (pure file logic, no kernel). */
class MptcpSysctlsTest {
    @TempDir
    Path root;

    private MptcpSysctls kernel(String... keyValues) throws Exception {
        for (int i = 0; i < keyValues.length; i += 2) {
            Path p = root.resolve(keyValues[i].replace('.', '/'));
            Files.createDirectories(p.getParent());
            Files.writeString(p, keyValues[i + 1] + "\n");
        }
        return new MptcpSysctls(new NetSysctl(null, root));
    }

    private String file(String key) throws Exception {
        return Files.readString(root.resolve(key.replace('.', '/'))).trim();
    }

    @Test
    void linux618UsesPathManagerString() throws Exception {
        MptcpSysctls m = kernel("net.mptcp.enabled", "1", "net.mptcp.path_manager", "kernel",
                "net.mptcp.available_path_managers", "kernel userspace", "net.mptcp.pm_type", "0",
                "net.mptcp.scheduler", "default", "net.mptcp.available_schedulers", "default");
        assertThat(m.pathManager()).isEqualTo("kernel");
        m.setPathManager("userspace");
        assertThat(file("net.mptcp.path_manager")).isEqualTo("userspace");
        assertThat(m.availableSchedulers()).containsExactly("default");
        assertThatThrownBy(() -> m.setScheduler("bpf_rr")).isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("this kernel has: [default]");
        assertThat(file("net.mptcp.scheduler")).isEqualTo("default"); // nothing half-applied
    }

    @Test
    void linux61FallsBackToPmType() throws Exception {
        MptcpSysctls m = kernel("net.mptcp.enabled", "1", "net.mptcp.pm_type", "0");
        assertThat(m.availablePathManagers()).containsExactly("kernel", "userspace");
        assertThat(m.pathManager()).isEqualTo("kernel");
        m.setPathManager("userspace");
        assertThat(file("net.mptcp.pm_type")).isEqualTo("1");
        assertThat(m.pathManager()).isEqualTo("userspace");
        m.setPathManager("kernel");
        assertThat(file("net.mptcp.pm_type")).isEqualTo("0");
        assertThat(m.scheduler()).isEqualTo("default"); // no scheduler sysctl before 6.6
        assertThat(m.availableSchedulers()).containsExactly("default");
    }

    @Test
    void linux515HasOnlyTheKernelPm() throws Exception {
        MptcpSysctls m = kernel("net.mptcp.enabled", "0");
        assertThat(m.enabled()).isFalse();
        assertThat(m.availablePathManagers()).containsExactly("kernel");
        assertThatThrownBy(() -> m.setPathManager("userspace")).isInstanceOf(MissingKernelFeatureException.class)
                .hasMessageContaining("Linux 5.19+");
    }

    @Test
    void otherKeys() throws Exception {
        MptcpSysctls m = kernel("net.mptcp.stale_loss_cnt", "4");
        assertThat(m.get("stale_loss_cnt")).isEqualTo("4");
        m.set("stale_loss_cnt", "2");
        assertThat(file("net.mptcp.stale_loss_cnt")).isEqualTo("2");
        assertThatThrownBy(() -> m.get("nosuch")).hasMessageContaining("does not exist on this kernel");
        assertThatThrownBy(() -> m.get("../../etc")).isInstanceOf(IllegalArgumentException.class);
    }
}
