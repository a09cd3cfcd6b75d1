package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.SecretBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void generatesA256BitKeyWithMode0600() throws Exception {
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.size(f)).isEqualTo(32);
        SecretBytes k = MasterKeyFile.load(f);
        assertThat(k.length()).isEqualTo(32);
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
    void refusesAKeyReadableByGroupOrOthers() throws Exception {
        Path f = dir.resolve("master.key");
        MasterKeyFile.generate(f);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("rw-r--r--").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw----r--"));
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class);
    }

    @Test
    void refusesMissingOrWrongSizeFiles() throws Exception {
        assertThatThrownBy(() -> MasterKeyFile.load(dir.resolve("none"))).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("keygen");
        Path f = dir.resolve("short.key");
        Files.write(f, new byte[16]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> MasterKeyFile.load(f)).isInstanceOf(KeyFileException.class).hasMessageContaining("16 bytes");
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
