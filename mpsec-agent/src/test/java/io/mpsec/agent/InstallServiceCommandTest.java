package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.service.Systemd;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InstallServiceCommandTest {
    @TempDir
    Path dir;

    /** A service manager that records systemctl calls; the temporary directory is its unit directory. */
    final class FakeSystemd implements Systemd {
        boolean running = true;
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean running() {
            return running;
        }

        @Override
        public Set<Path> unitDirs() {
            return Set.of(dir.resolve("units").toAbsolutePath());
        }

        @Override
        public void systemctl(String... args) {
            calls.add(String.join(" ", args));
        }
    }

    record Run(int exit, String out, String err) {
    }

    private Run run(Systemd systemd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            int exit = new CommandLine(new InstallServiceCommand(systemd)).execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private String units() {
        return dir.resolve("units").toString();
    }

    @Test
    void writesBothUnitsEnablesThemAndASecondRunChangesNothing() throws Exception {
        FakeSystemd systemd = new FakeSystemd();
        Run first = run(systemd, "--unit-dir", units(), "--config", dir.resolve("absent.yaml").toString());
        assertThat(first.exit()).as(first.err()).isZero();
        Path agent = dir.resolve("units/mpsec-agent.service");
        Path ks = dir.resolve("units/mpsec-killswitch.service");
        assertThat(Files.readString(agent)).contains("ExecStart=/usr/bin/mpsec-agent serve --config " + dir.resolve("absent.yaml"));
        assertThat(Files.readString(ks)).contains("ExecStart=/usr/bin/mpsec-agent block --config " + dir.resolve("absent.yaml"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(agent))).isEqualTo("rw-r--r--");
        assertThat(first.out()).contains(ks + ": created", agent + ": created", "does not exist yet",
                "enabled mpsec-killswitch.service mpsec-agent.service");
        assertThat(systemd.calls).containsExactly("daemon-reload", "enable mpsec-killswitch.service mpsec-agent.service");

        FileTime before = Files.getLastModifiedTime(agent);
        Files.setLastModifiedTime(agent, FileTime.fromMillis(before.toMillis() - 60_000));
        FileTime aged = Files.getLastModifiedTime(agent);
        Run second = run(systemd, "--unit-dir", units(), "--config", dir.resolve("absent.yaml").toString());
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains(ks + ": unchanged", agent + ": unchanged");
        assertThat(Files.getLastModifiedTime(agent)).as("not rewritten").isEqualTo(aged);
        try (var files = Files.list(dir.resolve("units"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "mpsec-agent.service", "mpsec-killswitch.service");
        }

        Files.writeString(agent, "edited by hand\n");
        Run third = run(systemd, "--unit-dir", units(), "--config", dir.resolve("absent.yaml").toString());
        assertThat(third.out()).contains(agent + ": updated", ks + ": unchanged");
        assertThat(Files.readString(agent)).contains("ExecStart=");
    }

    @Test
    void dryRunWritesNothingAndShowsWhatItWouldDo() throws Exception {
        FakeSystemd systemd = new FakeSystemd();
        Run r = run(systemd, "--unit-dir", units(), "--dry-run", "--namespaces");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.exists(dir.resolve("units"))).isFalse();
        assertThat(r.out()).contains("would write " + dir.resolve("units/mpsec-agent.service").toAbsolutePath() + ": created",
                "    CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON CAP_SYS_ADMIN",
                "would run: systemctl daemon-reload && systemctl enable mpsec-killswitch.service mpsec-agent.service");
        assertThat(systemd.calls).isEmpty();
    }

    @Test
    void withoutSystemdOrWithNoEnableTheUnitsAreOnlyWritten() throws Exception {
        FakeSystemd systemd = new FakeSystemd();
        systemd.running = false;
        Run r = run(systemd, "--unit-dir", units());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("not enabled: systemd is not running here");
        assertThat(Files.exists(dir.resolve("units/mpsec-agent.service"))).isTrue();

        systemd.running = true;
        Run noEnable = run(systemd, "--unit-dir", units(), "--no-enable");
        assertThat(noEnable.out()).contains("not enabled (--no-enable)");
        Run elsewhere = run(systemd, "--unit-dir", dir.resolve("elsewhere").toString());
        assertThat(elsewhere.out()).contains("not enabled: systemd does not load units from");
        assertThat(systemd.calls).isEmpty();
    }

    @Test
    void theConfigDecidesAboutCapSysAdminUnlessAFlagDoes() throws Exception {
        FakeSystemd systemd = new FakeSystemd();
        Path config = Files.writeString(dir.resolve("mpsec.yaml"), "hosts:\n  - name: pc1\n    netns: pc1\n");
        Run r = run(systemd, "--unit-dir", units(), "--config", config.toString());
        assertThat(r.out()).contains("the config enters network namespaces (hosts[0].netns)");
        assertThat(Files.readString(dir.resolve("units/mpsec-agent.service")))
                .contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON CAP_SYS_ADMIN\n");

        run(systemd, "--unit-dir", units(), "--config", config.toString(), "--no-namespaces");
        assertThat(Files.readString(dir.resolve("units/mpsec-agent.service"))).doesNotContain("CAP_SYS_ADMIN\n");

        Files.writeString(config, "hosts: [\n");
        Run broken = run(systemd, "--unit-dir", units(), "--config", config.toString());
        assertThat(broken.exit()).isEqualTo(1);
        assertThat(broken.err()).startsWith("install-service: " + config + " is not valid YAML");
    }

    @Test
    void aPathSystemdWouldMisreadIsAClearError() {
        Run r = run(new FakeSystemd(), "--unit-dir", units(), "--config", "/etc/my mpsec.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--config /etc/my mpsec.yaml contains '\\u0020'");
        assertThat(Files.exists(dir.resolve("units"))).isFalse();
    }
}
