package io.mpsec.agent.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon check over a made-up /proc and /etc: a process counts when its comm matches and its
 * ns/net is this namespace (a link to this process's own), and the MPTCP lines of the configuration
 * are shown. The real /proc is exercised by DoctorIT.
 */
class PathManagerDaemonsCheckTest {
    @Test
    void findsTheDaemonInThisNamespaceAndItsConfiguration(@TempDir Path dir) throws Exception {
        Path proc = dir.resolve("proc");
        process(proc, 101, "mptcpd", Path.of("/proc/self/ns/net"));
        process(proc, 102, "NetworkManager", dir.resolve("elsewhere"));   // ns/net unreadable: counted as unknown
        process(proc, 103, "sleep", Path.of("/proc/self/ns/net"));
        Files.createDirectories(proc.resolve("self"));                    // not a pid: ignored
        Path etc = dir.resolve("etc");
        Files.createDirectories(etc.resolve("mptcpd"));
        Files.writeString(etc.resolve("mptcpd/mptcpd.conf"), "[core]\n# addr-flags=signal\naddr-flags=subflow\nlog=stderr\n");
        Files.createDirectories(etc.resolve("NetworkManager/conf.d"));
        Files.writeString(etc.resolve("NetworkManager/conf.d/90-mptcp.conf"), "[connection]\nconnection.mptcp-flags=0x1\n");
        Files.writeString(etc.resolve("NetworkManager/conf.d/README"), "mptcp in a file that is not a .conf\n");

        List<Finding> f = new PathManagerDaemonsCheck(proc, etc).run(Target.current());

        assertThat(f).extracting(Finding::id).containsExactly("managers.networkmanager", "managers.mptcpd");
        Finding nm = f.get(0);
        assertThat(nm.status()).isEqualTo(Status.WARN);
        assertThat(nm.found()).contains("runs (pid 102), in a namespace that could not be read")
                .contains("90-mptcp.conf: connection.mptcp-flags=0x1").doesNotContain("README");
        Finding d = f.get(1);
        assertThat(d.status()).isEqualTo(Status.WARN);
        assertThat(d.values().get("pids_in_namespace")).isEqualTo(List.of(101L));
        assertThat(d.found()).contains("runs in this namespace (pid 101)").contains("mptcpd.conf: addr-flags=subflow")
                .doesNotContain("addr-flags=signal").doesNotContain("log=stderr");
        assertThat(d.action()).contains("systemctl disable --now mptcpd");
    }

    @Test
    void nothingRunningIsOk(@TempDir Path dir) throws Exception {
        Path proc = dir.resolve("proc");
        process(proc, 7, "bash", Path.of("/proc/self/ns/net"));
        List<Finding> f = new PathManagerDaemonsCheck(proc, dir.resolve("etc")).run(Target.current());
        assertThat(f).allSatisfy(x -> assertThat(x.status()).isEqualTo(Status.OK));
        assertThat(f.get(1).found()).isEqualTo("mptcpd is not running");
    }

    private static void process(Path proc, int pid, String comm, Path netns) throws Exception {
        Path p = proc.resolve(String.valueOf(pid));
        Files.createDirectories(p.resolve("ns"));
        Files.writeString(p.resolve("comm"), comm + "\n");
        Files.createSymbolicLink(p.resolve("ns/net"), netns);
    }
}
