package io.mpsec.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UnitFilesTest {
    /** The values of {@code key=} lines in {@code section} of a unit, comments ignored. */
    static List<String> values(String unit, String section, String key) {
        String current = "";
        List<String> found = new java.util.ArrayList<>();
        for (String line : unit.lines().collect(Collectors.toList())) {
            String l = line.strip();
            if (l.startsWith("[") && l.endsWith("]")) {
                current = l.substring(1, l.length() - 1);
            } else if (current.equals(section) && l.startsWith(key + "=")) {
                found.add(l.substring(key.length() + 1));
            }
        }
        return found;
    }

    @Test
    void defaultUnitsRunTheAgentAndTheKillSwitchWithTheLeastCapabilities() {
        Map<String, String> units = UnitFiles.render(ServiceOptions.defaults());
        assertThat(units.keySet()).containsExactly("mpsec-killswitch.service", "mpsec-agent.service");
        String agent = units.get(UnitFiles.AGENT);
        String ks = units.get(UnitFiles.KILLSWITCH);

        assertThat(values(agent, "Service", "ExecStart")).containsExactly("/usr/bin/mpsec-agent serve --config /etc/mpsec/mpsec.yaml");
        assertThat(values(agent, "Service", "CapabilityBoundingSet")).containsExactly("CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON");
        assertThat(values(agent, "Service", "AmbientCapabilities")).containsExactly("CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON");
        assertThat(values(agent, "Service", "NoNewPrivileges")).containsExactly("yes");
        assertThat(values(agent, "Service", "ProtectSystem")).containsExactly("strict");
        assertThat(values(agent, "Service", "PrivateTmp")).containsExactly("yes");
        assertThat(values(agent, "Service", "RuntimeDirectory")).containsExactly("mpsec");
        assertThat(values(agent, "Service", "RuntimeDirectoryMode")).containsExactly("0700");
        assertThat(values(agent, "Service", "ReadWritePaths")).containsExactly("/run/mpsec /var/lib/mpsec -/sys/fs/bpf/mpsec");
        assertThat(values(agent, "Service", "ProtectKernelTunables")).as("would block the sysctl writes").isEmpty();
        assertThat(agent).contains("# NOT ProtectKernelTunables=yes");
        assertThat(values(agent, "Unit", "Requires")).containsExactly("mpsec-killswitch.service");
        assertThat(values(agent, "Unit", "After").get(0)).startsWith("mpsec-killswitch.service");

        assertThat(values(ks, "Service", "ExecStart")).containsExactly("/usr/bin/mpsec-agent block --config /etc/mpsec/mpsec.yaml");
        assertThat(values(ks, "Service", "Type")).containsExactly("oneshot");
        assertThat(values(ks, "Service", "RemainAfterExit")).containsExactly("yes");
        assertThat(values(ks, "Service", "ExecStop")).as("stopping must never unblock").isEmpty();
        assertThat(values(ks, "Service", "CapabilityBoundingSet")).containsExactly("CAP_NET_ADMIN");
        assertThat(values(ks, "Unit", "DefaultDependencies")).containsExactly("no");
        assertThat(values(ks, "Unit", "Before").get(0)).contains("network-pre.target");
        assertThat(values(ks, "Unit", "Wants")).containsExactly("network-pre.target");
        assertThat(values(ks, "Install", "WantedBy")).containsExactly("sysinit.target");

        for (String unit : units.values()) {
            assertThat(unit).doesNotContain("@");
            assertThat(values(unit, "Service", "CapabilityBoundingSet") + " " + values(unit, "Service", "AmbientCapabilities"))
                    .doesNotContain("CAP_SYS_ADMIN");
        }
    }

    @Test
    void namespacesAddCapSysAdminToBothUnits() {
        Map<String, String> units = UnitFiles.render(new ServiceOptions(Path.of("/opt/m/bin/agent"), Path.of("/srv/m.yaml"), true));
        assertThat(values(units.get(UnitFiles.AGENT), "Service", "CapabilityBoundingSet"))
                .containsExactly("CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON CAP_SYS_ADMIN");
        assertThat(values(units.get(UnitFiles.KILLSWITCH), "Service", "AmbientCapabilities"))
                .containsExactly("CAP_NET_ADMIN CAP_SYS_ADMIN");
        assertThat(values(units.get(UnitFiles.AGENT), "Service", "ExecStart")).containsExactly("/opt/m/bin/agent serve --config /srv/m.yaml");
    }

    @Test
    void pathsAUnitFileWouldMisreadAreRefused() {
        assertThatThrownBy(() -> new ServiceOptions(Path.of("/usr/bin/mpsec-agent"), Path.of("etc/m.yaml"), false))
                .hasMessageContaining("--config etc/m.yaml is not an absolute path");
        assertThatThrownBy(() -> new ServiceOptions(Path.of("/usr/bin/mpsec-agent"), Path.of("/etc/my config.yaml"), false))
                .hasMessageContaining("--config /etc/my config.yaml contains '\\u0020'");
        assertThatThrownBy(() -> new ServiceOptions(Path.of("/usr/bin/mp%sec"), Path.of("/etc/m.yaml"), false))
                .hasMessageContaining("--binary /usr/bin/mp%sec contains '%'");
    }
}
