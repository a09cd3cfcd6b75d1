package io.mpsec.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.ExecResult;
import io.mpsec.testbed.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code systemd-analyze verify} (systemd 252 here) accepts both units, with and without
 * CAP_SYS_ADMIN. It runs against a temporary root ({@code --root}) that holds the host's own
 * /lib/systemd/system (for sysinit.target, network-pre.target, ...) and an executable
 * /usr/bin/mpsec-agent, because verify checks that ExecStart's binary exists.
 */
class SystemdUnitsIT {
    private Path root;

    private Path analyze;

    @BeforeEach
    void root() throws Exception {
        analyze = Privileged.requireTool("systemd-analyze", "systemd");
        root = Files.createTempDirectory("mpsec-units-root-");
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createDirectories(root.resolve("lib/systemd"));
        Commands.runOk(Duration.ofSeconds(30), List.of("cp", "-a", "/lib/systemd/system", root.resolve("lib/systemd").toString()));
        Path binary = Files.writeString(root.resolve("usr/bin/mpsec-agent"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeRoot() {
        // rm, not JUnit's @TempDir: the copied units include masks (symlinks to /dev/null) it warns about
        if (root != null) {
            Commands.run(Duration.ofSeconds(30), List.of("rm", "-rf", root.toString()));
        }
    }

    private ExecResult verify(ServiceOptions options) throws Exception {
        Path dir = Files.createDirectories(root.resolve("etc/systemd/system"));
        for (Map.Entry<String, String> unit : UnitFiles.render(options).entrySet()) {
            Files.writeString(dir.resolve(unit.getKey()), unit.getValue());
        }
        return Commands.run(Duration.ofSeconds(60), List.of(analyze.toString(), "verify", "--root=" + root,
                "/etc/systemd/system/" + UnitFiles.KILLSWITCH, "/etc/systemd/system/" + UnitFiles.AGENT));
    }

    @Test
    void verifyAcceptsBothUnitsWithoutAWarning() throws Exception {
        ExecResult plain = verify(ServiceOptions.defaults());
        assertThat(plain.exitCode()).as(plain.describe()).isZero();
        assertThat(plain.stdout() + plain.stderr()).as("no warning at all").isBlank();

        ExecResult withNamespaces = verify(new ServiceOptions(ServiceOptions.DEFAULT_BINARY, ServiceOptions.DEFAULT_CONFIG, true));
        assertThat(withNamespaces.exitCode()).as(withNamespaces.describe()).isZero();
        assertThat(withNamespaces.stdout() + withNamespaces.stderr()).isBlank();
    }

    @Test
    void verifyWouldCatchAMissingBinaryAndAnUnknownKey() throws Exception {
        Files.delete(root.resolve("usr/bin/mpsec-agent"));
        ExecResult noBinary = verify(ServiceOptions.defaults());
        assertThat(noBinary.exitCode()).isNotZero();
        assertThat(noBinary.stderr()).contains("/usr/bin/mpsec-agent is not executable");

        Files.writeString(root.resolve("usr/bin/mpsec-agent"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(root.resolve("usr/bin/mpsec-agent"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectories(root.resolve("etc/systemd/system"));
        Files.writeString(dir.resolve(UnitFiles.AGENT), UnitFiles.render(ServiceOptions.defaults()).get(UnitFiles.AGENT)
                .replace("ProtectSystem=strict", "ProtectSystem=strict\nProtectKernelTunabels=yes"));
        ExecResult typo = Commands.run(Duration.ofSeconds(60), List.of(analyze.toString(), "verify", "--root=" + root,
                "/etc/systemd/system/" + UnitFiles.AGENT));
        assertThat(typo.stdout() + typo.stderr()).contains("Unknown key 'ProtectKernelTunabels'");
    }
}
