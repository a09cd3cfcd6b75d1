package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.kernel.ffi.FileCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyFileTest {
    @TempDir
    Path dir;

    static void chmod(Path p, String perms) throws Exception {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    @Test
    void generatesA256BitKeyWithMode0600() throws Exception {
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.size(f)).isEqualTo(32);
        SecretBytes k = MasterKeyFile.load(f);
        assertThat(k.length()).isEqualTo(32);
        assertThat(k.copy()).isEqualTo(Files.readAllBytes(f));
        assertThat(k.toString()).isEqualTo("<redacted 32 bytes>");
        Path g = dir.resolve("other.key");
        MasterKeyFile.generate(g);
        assertThat(MasterKeyFile.load(g)).isNotEqualTo(k);
    }

    @Test
    void neverOverwritesAnExistingKey() throws Exception {
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        byte[] before = Files.readAllBytes(f);
        assertThatThrownBy(() -> MasterKeyFile.generate(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("already exists").hasMessageContaining("never overwrites");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void generateNeverWritesThroughASymbolicLink() throws Exception {
        Path target = dir.resolve("elsewhere");
        Path link = Files.createSymbolicLink(dir.resolve("master.key"), target);
        assertThatThrownBy(() -> MasterKeyFile.generate(link)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("is a symbolic link");
        assertThat(Files.exists(target)).isFalse();
    }

    @Test
    void refusesAKeyAccessibleByGroupOrOthersAndSaysWhatToRun() throws Exception {
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        for (String bad : new String[] {"rw-r--r--", "rw----r--", "rw-rw----", "r--r-----", "rwx------", "-w-------"}) {
            chmod(f, bad);
            assertThatThrownBy(() -> MasterKeyFile.load(f)).as(bad).isInstanceOf(KeyFileException.class)
                    .hasMessageContaining(bad).hasMessageContaining("must be 0600 or 0400").hasMessageContaining("chmod 600 " + f);
        }
        chmod(f, "rw-r--r--");
        assertThatThrownBy(() -> MasterKeyFile.load(f)).hasMessageContaining("consider the key compromised");
        chmod(f, "r--------");
        assertThat(MasterKeyFile.load(f).length()).isEqualTo(32);
        chmod(f, "rw-------");
        assertThat(MasterKeyFile.load(f).length()).isEqualTo(32);
    }

    @Test
    void refusesASymbolicLinkEvenToAGoodKey() throws Exception {
        Path real = dir.resolve("real.key");
        MasterKeyFile.generate(real);
        Path link = Files.createSymbolicLink(dir.resolve("link.key"), real);
        assertThatThrownBy(() -> MasterKeyFile.load(link)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining(link + " is a symbolic link; MPSec reads the key only from a regular file");
        assertThat(MasterKeyFile.load(real).length()).isEqualTo(32);
    }

    @Test
    void refusesWhatIsNotARegularFileWithoutBlocking() throws Exception {
        Path d = Files.createDirectory(dir.resolve("adir.key"));
        chmod(d, "rw-------");
        assertThatThrownBy(() -> MasterKeyFile.load(d)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("is a directory, not a regular file");
        // a FIFO with no writer: opening it for reading must not block (O_NONBLOCK), and it is refused
        Path fifo = dir.resolve("fifo.key");
        Process p = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThatThrownBy(() -> MasterKeyFile.load(fifo)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("is a FIFO, not a regular file");
    }

    @Test
    void refusesAKeyInADirectoryOthersCanWrite() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path f = sub.resolve("master.key");
        MasterKeyFile.generate(f);
        chmod(sub, "rwxrwxrwx");
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("directory " + sub).hasMessageContaining("rwxrwxrwx")
                .hasMessageContaining("chmod go-w " + sub);
        assertThatThrownBy(() -> MasterKeyFile.generate(sub.resolve("new.key"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("chmod go-w");
        assertThat(Files.exists(sub.resolve("new.key"))).isFalse();
        chmod(sub, "rwxr-x---");
        assertThat(MasterKeyFile.load(f).length()).isEqualTo(32);
        // sticky: accepted only when the directory belongs to root (like /tmp)
        Files.setAttribute(sub, "unix:mode", 01777);
        if (FileCalls.geteuid() == 0) {
            assertThat(MasterKeyFile.load(f).length()).isEqualTo(32);
        } else {
            assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class).hasMessageContaining("chmod go-w");
        }
        chmod(sub, "rwx------");
    }

    @Test
    void refusesMissingOrWrongSizeFiles() throws Exception {
        assertThatThrownBy(() -> MasterKeyFile.load(dir.resolve("none"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("keygen");
        assertThatThrownBy(() -> MasterKeyFile.load(dir.resolve("nodir/k"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("directory " + dir.resolve("nodir") + " of key file").hasMessageContaining("does not exist");
        Path f = dir.resolve("short.key");
        Files.write(f, new byte[16]);
        chmod(f, "rw-------");
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class).hasMessageContaining("16 bytes");
        Path g = dir.resolve("long.key");
        Files.write(g, new byte[64]);
        chmod(g, "rw-------");
        assertThatThrownBy(() -> MasterKeyFile.load(g)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("more than 32 bytes");
    }

    @Test
    void keygenPrintsAFingerprintNotTheKey() throws Exception {
        Path f = dir.resolve("kg.key");
        String fp = KeyGen.generate(f);
        byte[] key = Files.readAllBytes(f);
        assertThat(fp).hasSize(16).doesNotContain(java.util.HexFormat.of().formatHex(key).substring(0, 8));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }
}
