package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.FileCalls;
import io.mpsec.testbed.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key file checks that need root (files owned by another user) or a second process (another umask).
 * Ownership is cross-checked with what the JDK reports for the same file.
 */
class MasterKeyFileIT {
    static final int NOBODY = 65534;

    @TempDir
    Path dir;

    static void requireRoot() {
        if (FileCalls.geteuid() != 0) {
            Privileged.unavailable("changing a file's owner needs root (CAP_CHOWN)");
        }
    }

    @Test
    void refusesAKeyOwnedByAnotherUserAndSaysWhatToRun() throws Exception {
        requireRoot();
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        Files.setAttribute(f, "unix:uid", NOBODY);
        assertThat(((Number) Files.getAttribute(f, "unix:uid")).intValue()).isEqualTo(NOBODY);
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("owned by uid " + NOBODY + ", but MPSec runs as uid 0")
                .hasMessageContaining("chown 0 " + f);
        Files.setAttribute(f, "unix:uid", 0);
        assertThat(MasterKeyFile.load(f).length()).isEqualTo(32);
    }

    @Test
    void refusesAKeyInADirectoryOwnedByAnotherUser() throws Exception {
        requireRoot();
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path f = sub.resolve("master.key");
        MasterKeyFile.generate(f);
        Files.setAttribute(sub, "unix:uid", NOBODY);
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("directory " + sub).hasMessageContaining("owned by uid " + NOBODY);
        // a sticky directory of another (non-root) user is not enough either
        Files.setAttribute(sub, "unix:mode", 01777);
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class);
        Files.setAttribute(sub, "unix:uid", 0);
        assertThat(MasterKeyFile.load(f).length()).isEqualTo(32); // root-owned sticky directory, like /tmp
    }

    @Test
    void generateCreatesMode0600WhateverTheUmask() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        for (String umask : List.of("0277", "0000", "0077", "0022")) {
            Path f = dir.resolve("k" + umask);
            Process p = new ProcessBuilder("sh", "-c", "umask " + umask + " && exec \"$0\" -cp \"$1\" "
                    + KeyGen.class.getName() + " \"$2\"", java, cp, f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("fingerprint");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("umask " + umask).isEqualTo("rw-------");
            assertThat(Files.size(f)).isEqualTo(32);
        }
    }
}
