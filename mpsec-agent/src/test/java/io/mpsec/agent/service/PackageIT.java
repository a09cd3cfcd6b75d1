package io.mpsec.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.ExecResult;
import io.mpsec.testbed.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The .deb installs the way a user installs it: {@code apt-get install ./mpsec_*.deb} into a minimal
 * Debian bookworm root ({@link DebianRoot}), so apt resolves the Java runtime and the maintainer
 * scripts really run; then {@code mpsec-agent --version} runs there on the Java apt installed. An
 * upgrade keeps an edited conffile, a removal keeps the config, a purge keeps the key generation
 * ledger while a master key exists.
 *
 * <p>The package is built here from the jar of this build's package phase
 * ({@code target/mpsec-agent-VERSION-all.jar}) with {@code src/deb/build-deb.sh}, the script
 * {@code ./mpsec build} uses, so {@code ./mpsec test} on a fresh clone tests what it would ship.
 */
class PackageIT {
    private static final Duration APT = Duration.ofMinutes(8);

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the first run debootstraps; later runs take about a minute
    void installsUpgradesAndRemovesInAMinimalDebianRoot() throws Exception {
        Privileged.require();
        Privileged.requireTool("debootstrap", "debootstrap");
        Privileged.requireTool("dpkg-deb", "dpkg-dev");
        Privileged.requireTool("zstd", "zstd");
        Path jar = agentJar();
        String version = jar.getFileName().toString().replaceAll("^mpsec-agent-(.*)-all\\.jar$", "$1");
        long t0 = System.nanoTime();
        Path deb = buildDeb(jar, Path.of("target/package-it/v1"));
        // the same jar under a later version, for the upgrade
        Path laterJar = Files.copy(jar, Files.createDirectories(Path.of("target/package-it/jar")).resolve("mpsec-agent-" + version + ".1-all.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        Path later = buildDeb(laterJar, Path.of("target/package-it/v2"));
        log("built " + deb.getFileName() + " and " + later.getFileName(), t0);

        try (DebianRoot root = DebianRoot.create()) {
            log("Debian root ready in " + root.dir, t0);
            assertThat(root.exec(Duration.ofSeconds(30), "sh", "-c", "command -v java").exitCode())
                    .as("the minimal root starts without Java").isNotZero();
            Files.copy(deb, root.path("/tmp/" + deb.getFileName()));
            Files.copy(later, root.path("/tmp/" + later.getFileName()));
            root.seedArchives();

            ExecResult install = aptInstall(root, "/tmp/" + deb.getFileName());
            root.saveArchives();
            log("apt-get install ./" + deb.getFileName() + " done", t0);
            assertThat(install.stdout()).as("postinst ran").contains("mpsec: edit /etc/mpsec/mpsec.yaml");

            ExecResult v = root.execOk(Duration.ofSeconds(60), "mpsec-agent", "--version");
            List<String> lines = v.stdout().lines().collect(Collectors.toList());
            assertThat(lines.get(0)).isEqualTo("MPSec " + version);
            assertThat(lines.get(1)).startsWith("Java 17.").contains("/usr/lib/jvm/");
            assertThat(status(root, "mpsec")).isEqualTo("install ok installed");
            assertThat(status(root, "openjdk-17-jre-headless")).as("apt pulled in the Java runtime").isEqualTo("install ok installed");
            assertThat(status(root, "nftables")).isEqualTo("install ok installed");
            assertThat(mode(root, "/etc/mpsec")).isEqualTo("700 root root");
            assertThat(mode(root, "/var/lib/mpsec")).isEqualTo("700 root root");
            assertThat(mode(root, "/etc/mpsec/mpsec.yaml")).isEqualTo("600 root root");
            assertThat(root.execOk(Duration.ofSeconds(30), "dpkg-query", "-W", "-f", "${Conffiles}", "mpsec").stdout())
                    .contains("/etc/mpsec/mpsec.yaml");
            for (var unit : UnitFiles.render(ServiceOptions.defaults()).entrySet()) {
                assertThat(Files.readString(root.path("/lib/systemd/system/" + unit.getKey())))
                        .as("the package ships what install-service writes").isEqualTo(unit.getValue());
            }
            assertUnitsEnabled(root, install);

            // upgrade: prerm upgrade + postinst configure OLD; an edited conffile stays as the admin left it
            Files.writeString(root.path("/etc/mpsec/mpsec.yaml"), "# edited by the admin\n");
            Files.writeString(root.path("/etc/mpsec/master.key"), "not a real key, only its presence matters\n");
            aptInstall(root, "/tmp/" + later.getFileName());
            log("upgrade done", t0);
            assertThat(root.execOk(Duration.ofSeconds(30), "dpkg-query", "-W", "-f", "${Version}", "mpsec").stdout())
                    .isEqualTo(version.replace('-', '~') + ".1");
            assertThat(Files.readString(root.path("/etc/mpsec/mpsec.yaml"))).isEqualTo("# edited by the admin\n");
            assertThat(root.execOk(Duration.ofSeconds(60), "mpsec-agent", "--version").stdout()).startsWith("MPSec ");

            ExecResult remove = root.execOk(APT, "apt-get", "-y", "-q", "remove", "mpsec");
            assertThat(remove.stdout()).contains("the configured peers stay blocked");
            assertThat(Files.exists(root.path("/usr/bin/mpsec-agent"))).isFalse();
            assertThat(Files.exists(root.path("/etc/mpsec/mpsec.yaml"))).as("remove keeps the config").isTrue();

            ExecResult purge = root.execOk(APT, "apt-get", "-y", "-q", "purge", "mpsec");
            assertThat(purge.stdout()).contains("keeping it and /var/lib/mpsec");
            assertThat(Files.exists(root.path("/etc/mpsec/mpsec.yaml"))).as("purge removes the conffile").isFalse();
            assertThat(Files.isDirectory(root.path("/var/lib/mpsec"))).as("ledger kept while a master key exists").isTrue();
            assertThat(Files.exists(root.path("/etc/mpsec/master.key"))).isTrue();
            assertThat(Files.exists(root.path("/etc/systemd/system/sysinit.target.wants/mpsec-killswitch.service"),
                    LinkOption.NOFOLLOW_LINKS)).as("purge forgets the enablement").isFalse();
            assertThat(Files.exists(root.path("/etc/systemd/system/mpsec-agent.service"), LinkOption.NOFOLLOW_LINKS))
                    .as("purge removes the mask of remove").isFalse();
            log("remove and purge done", t0);
        }
        log("Debian root removed", t0);
    }

    /** {@code apt-get install ./DEB}; when the cached lists are out of date (a fetch fails), update and retry once. */
    private static ExecResult aptInstall(DebianRoot root, String deb) {
        // --no-install-recommends: the package has only Depends; the JRE's libraries' recommendations
        // (dbus, shared-mime-info, ...) would double the time and test nothing of ours
        ExecResult r = root.exec(APT, "apt-get", "install", "-y", "-q", "--no-install-recommends", deb);
        if (!r.ok() && (r.stderr().contains("Failed to fetch") || r.stderr().contains("Unable to fetch"))) {
            log("cached apt lists are stale: apt-get update", System.nanoTime());
            root.execOk(APT, "apt-get", "-q", "update");
            r = root.exec(APT, "apt-get", "install", "-y", "-q", "--no-install-recommends", deb);
        }
        if (!r.ok()) {
            throw new AssertionError("apt-get install " + deb + " failed:\n" + r.describe());
        }
        return r;
    }

    /** postinst enables the units through deb-systemd-helper where the root has it; a minbase root has no systemd. */
    private static void assertUnitsEnabled(DebianRoot root, ExecResult install) {
        boolean helper = root.exec(Duration.ofSeconds(30), "sh", "-c", "command -v deb-systemd-helper").ok();
        if (helper) {
            assertThat(Files.isSymbolicLink(root.path("/etc/systemd/system/sysinit.target.wants/mpsec-killswitch.service"))).isTrue();
            assertThat(Files.isSymbolicLink(root.path("/etc/systemd/system/multi-user.target.wants/mpsec-agent.service"))).isTrue();
        } else {
            assertThat(install.stderr()).contains("units installed, not enabled");
        }
    }

    private static String status(DebianRoot root, String pkg) {
        return root.execOk(Duration.ofSeconds(30), "dpkg-query", "-W", "-f", "${Status}", pkg).stdout();
    }

    private static String mode(DebianRoot root, String path) {
        return root.execOk(Duration.ofSeconds(30), "stat", "-c", "%a %U %G", path).stdout().strip();
    }

    private static Path agentJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("mpsec-agent-.*-all\\.jar")).collect(Collectors.toList());
            assertThat(jars).as("exactly one shaded agent jar in target/ (built by the package phase; run mvn verify, not only integration-test)")
                    .hasSize(1);
            return jars.get(0);
        }
    }

    private static Path buildDeb(Path jar, Path out) {
        ExecResult r = Commands.runOk(Duration.ofMinutes(3), List.of("sh", "src/deb/build-deb.sh", jar.toString(), out.toString()));
        Path deb = Path.of(r.stdout().strip());
        assertThat(deb).isRegularFile();
        return deb;
    }

    private static void log(String what, long t0) {
        System.out.printf("[PackageIT] %6.1f s  %s%n", (System.nanoTime() - t0) / 1e9, what);
    }
}
