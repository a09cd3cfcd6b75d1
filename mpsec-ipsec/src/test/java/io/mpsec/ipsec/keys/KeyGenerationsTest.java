package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.FileStat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyGenerationsTest {
    @TempDir
    Path dir;

    @Test
    void generationStartsAtOneAndPersistsAdvances() throws Exception {
        Path key = dir.resolve("master.key");
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThat(g.current()).isEqualTo(1);
            assertThat(g.advance()).isEqualTo(2);
        }
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThat(g.current()).isEqualTo(2);
            g.advanceTo(5);
            assertThat(g.current()).isEqualTo(5);
            g.advanceTo(3);
            assertThat(g.current()).isEqualTo(5);
        }
        assertThat(Files.readString(dir.resolve("master.key.generation"))).isEqualTo("5\n");
    }

    @Test
    void refusesToInstallTheSameGenerationTwiceEvenAfterARestart() throws Exception {
        Path key = dir.resolve("master.key");
        try (KeyGenerations g = KeyGenerations.open(key)) {
            g.claim("abcd", 1);
        }
        try (KeyGenerations afterRestart = KeyGenerations.open(key)) {
            assertThatThrownBy(() -> afterRestart.claim("abcd", 1)).isInstanceOf(KeyReuseException.class)
                    .hasMessageContaining("generation 1").hasMessageContaining("already installed")
                    .hasMessageContaining("generation 2");
            afterRestart.claim("abcd", 2);
            assertThatThrownBy(() -> afterRestart.claim("abcd", 1)).isInstanceOf(KeyReuseException.class);
            // another master key starts afresh
            afterRestart.claim("ef01", 1);
        }
    }

    @Test
    void switchingBackToAnEarlierKeyStillRefusesItsInstalledGenerations() throws Exception {
        Path key = dir.resolve("master.key");
        try (KeyGenerations g = KeyGenerations.open(key)) {
            g.claim("aaaa", 3);
            g.claim("bbbb", 1);
        }
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThat(g.highestInstalled("aaaa")).isEqualTo(3);
            assertThat(g.highestInstalled("bbbb")).isEqualTo(1);
            assertThatThrownBy(() -> g.claim("aaaa", 3)).isInstanceOf(KeyReuseException.class)
                    .hasMessageContaining("generation 4");
            g.claim("aaaa", 4);
        }
        assertThat(Files.readAllLines(dir.resolve("master.key.installed"))).containsExactly("aaaa 4", "bbbb 1");
        assertThat(Files.exists(dir.resolve("master.key.installed.tmp"))).isFalse();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("master.key.installed")))).isEqualTo("rw-------");
    }

    @Test
    void aMalformedLedgerIsAClearError() throws Exception {
        Path key = dir.resolve("master.key");
        Files.writeString(dir.resolve("master.key.installed"), "aaaa 3\nbbbb x\n");
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThatThrownBy(() -> g.highestInstalled("aaaa")).isInstanceOf(KeyFileException.class)
                    .hasMessageContaining("malformed").hasMessageContaining("bbbb x");
        }
    }

    @Test
    void aSecondOpenIsRefusedUntilTheFirstIsClosed() throws Exception {
        Path key = dir.resolve("master.key");
        KeyGenerations first = KeyGenerations.open(key);
        assertThatThrownBy(() -> KeyGenerations.open(key)).isInstanceOf(KeyLedgerLockedException.class)
                .hasMessageContaining(dir.resolve("master.key.lock").toString())
                .hasMessageContaining("this process (pid " + ProcessHandle.current().pid() + ")")
                .satisfies(e -> assertThat(((KeyLedgerLockedException) e).holderPid()).hasValue(ProcessHandle.current().pid()));
        first.close();
        first.close(); // idempotent
        assertThatThrownBy(first::current).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        try (KeyGenerations second = KeyGenerations.open(key)) {
            assertThat(second.current()).isEqualTo(1);
        }
    }

    @Test
    void symbolicLinksForLedgerFilesAreRefused() throws Exception {
        Path key = dir.resolve("master.key");
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "7\n");
        Files.createSymbolicLink(dir.resolve("master.key.generation"), elsewhere);
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThatThrownBy(g::current).isInstanceOf(KeyFileException.class)
                    .hasMessageContaining("master.key.generation is a symbolic link");
            assertThatThrownBy(g::advance).isInstanceOf(KeyFileException.class);
        }
        assertThat(Files.readString(elsewhere)).isEqualTo("7\n");
        Files.delete(dir.resolve("master.key.generation"));
        Files.createSymbolicLink(dir.resolve("master.key.installed"), elsewhere);
        try (KeyGenerations g = KeyGenerations.open(key)) {
            assertThatThrownBy(() -> g.claim("aaaa", 1)).isInstanceOf(KeyFileException.class)
                    .hasMessageContaining("master.key.installed is a symbolic link");
        }
        Files.delete(dir.resolve("master.key.installed"));
        // a link left where the temporary file goes is removed, never written through
        Files.createSymbolicLink(dir.resolve("master.key.installed.tmp"), elsewhere);
        try (KeyGenerations g = KeyGenerations.open(key)) {
            g.claim("aaaa", 1);
        }
        assertThat(Files.readString(elsewhere)).isEqualTo("7\n");
        assertThat(Files.readString(dir.resolve("master.key.installed"))).isEqualTo("aaaa 1\n");
        // and the lock file itself
        Files.createSymbolicLink(dir.resolve("other.key.lock"), elsewhere);
        assertThatThrownBy(() -> KeyGenerations.open(dir.resolve("other.key"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("other.key.lock is a symbolic link");
    }

    @Test
    void generationsBeyondWhatAnSpiCarriesAskToRotateTheKey() throws Exception {
        try (KeyGenerations g = KeyGenerations.open(dir.resolve("master.key"))) {
            g.advanceTo(SaKeyDerivation.MAX_GENERATION);
            assertThatThrownBy(g::advance).isInstanceOf(KeyFileException.class).hasMessageContaining("Rotate the master key")
                    .hasMessageContaining("1048575");
            assertThat(g.current()).isEqualTo(SaKeyDerivation.MAX_GENERATION);
        }
    }

    @Test
    void aWritableDirectoryIsRefused() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.setPosixFilePermissions(sub, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> KeyGenerations.open(sub.resolve("m.key"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("chmod go-w");
    }

    @Test
    void theLockHolderIsReadFromProcLocks() {
        FileStat st = new FileStat(0100600, 0, 0, 0, 1, 56789, 0, 0x2d);
        String locks = "1: POSIX  ADVISORY  WRITE 999 00:2d:56789 0 EOF\n"
                + "2: FLOCK  ADVISORY  WRITE 4321 00:2d:56789 0 EOF\n"
                + "2: -> FLOCK  ADVISORY  WRITE 5555 00:2d:56789 0 EOF\n"
                + "3: FLOCK  ADVISORY  WRITE 1111 00:2d:5678 0 EOF\n";
        assertThat(KeyGenerations.lockHolder(locks, st)).isEqualTo(4321);
        assertThat(KeyGenerations.lockHolder("", st)).isEqualTo(-1);
    }
}
