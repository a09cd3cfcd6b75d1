package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.testbed.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger lock against real second processes: another JVM running MPSec, and util-linux
 * {@code flock(1)} as an independent holder and checker of the same lock.
 */
class KeyGenerationsIT {
    @TempDir
    Path dir;

    /** A second MPSec process: opens the ledger, says so, and holds it until stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (KeyGenerations g = KeyGenerations.open(Path.of(args[0]))) {
                g.advance();
                System.out.println("holding " + g.current());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to close stdin
                }
            }
        }
    }

    @Test
    void aSecondJvmIsRefusedWithTheHoldersPidAndGetsInAfterItExits() throws Exception {
        Path key = dir.resolve("master.key");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), key.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(out.readLine()).isEqualTo("holding 2");
            assertThatThrownBy(() -> KeyGenerations.open(key)).isInstanceOf(KeyLedgerLockedException.class)
                    .hasMessageContaining(dir.resolve("master.key.lock").toString())
                    .hasMessageContaining("process " + p.pid())
                    .hasMessageContaining("stop that MPSec instance first")
                    .satisfies(e -> assertThat(((KeyLedgerLockedException) e).holderPid()).hasValue(p.pid()));
            // util-linux flock agrees the file is locked
            assertThat(flockNb(key)).isEqualTo(1);
        } finally {
            p.getOutputStream().close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThat(g.current()).isEqualTo(2);
            assertThat(flockNb(key)).as("held by us now").isEqualTo(1);
        }
        assertThat(flockNb(key)).as("released on close").isZero();
    }

    @Test
    void aLockHeldByFlockIsRespectedAndAKilledHolderReleasesIt() throws Exception {
        Path flock = Privileged.requireTool("flock", "util-linux");
        Path key = dir.resolve("master.key");
        try (KeyGenerations g = KeyGenerations.open(key)) {
            g.current(); // creates nothing but the lock file
        }
        Process p = new ProcessBuilder(flock.toString(), "-o", "-x", dir.resolve("master.key.lock").toString(), "sh", "-c",
                "echo locked; exec cat").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> KeyGenerations.open(key)).isInstanceOf(KeyLedgerLockedException.class)
                    .hasMessageContaining("master.key.lock");
        } finally {
            p.destroyForcibly(); // kill -9 of flock (-o: its child does not share the lock): the kernel releases it
            p.waitFor(30, TimeUnit.SECONDS);
        }
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThat(g.current()).isEqualTo(1);
        }
    }

    /** {@code flock -n -x KEY.lock true}: 0 when the lock was free, 1 when another holder has it. */
    static int flockNb(Path key) throws Exception {
        Path flock = Privileged.requireTool("flock", "util-linux");
        Process p = new ProcessBuilder(flock.toString(), "-n", "-x", key.resolveSibling(key.getFileName() + ".lock").toString(),
                "true").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
