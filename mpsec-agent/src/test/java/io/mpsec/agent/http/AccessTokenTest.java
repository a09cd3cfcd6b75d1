package io.mpsec.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token files on the real file system (open with O_NOFOLLOW, checks on the opened descriptor). */
class AccessTokenTest {
    static final String TOKEN = "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA";
    @TempDir
    Path dir;

    Path tokenFile(String content, String mode) throws Exception {
        Path f = dir.resolve("token");
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void aMode0600FileIsReadAndTrimmed() throws Exception {
        AccessToken t = AccessToken.read(tokenFile("  " + TOKEN + "\n", "rw-------"));
        assertThat(t.matches(TOKEN)).isTrue();
        assertThat(t.matches(TOKEN + " ")).isFalse();
        assertThat(t.matches(TOKEN.substring(1))).isFalse();
        assertThat(t.matches("")).isFalse();
        assertThat(t.matches(null)).isFalse();
        assertThat(t.toString()).isEqualTo("<redacted token>").doesNotContain(TOKEN);
        assertThat(AccessToken.read(tokenFile(TOKEN, "r--------")).matches(TOKEN)).isTrue();
    }

    @Test
    void groupOrWorldAccessIsRefusedSayingChmod600() throws Exception {
        for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "-w-------"}) {
            Path f = tokenFile(TOKEN, mode);
            assertThatThrownBy(() -> AccessToken.read(f)).as(mode).isInstanceOf(TokenFileException.class)
                    .hasMessageContaining("chmod 600 " + f).hasMessageContaining("must be 0600 or 0400")
                    .hasMessageNotContaining(TOKEN);
            Files.delete(f);
        }
        Path f = tokenFile(TOKEN, "rw-r--r--");
        assertThatThrownBy(() -> AccessToken.read(f)).hasMessageContaining("make a new token");
    }

    @Test
    void symlinksDirectoriesAndMissingFilesAreRefused() throws Exception {
        Path real = tokenFile(TOKEN, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThatThrownBy(() -> AccessToken.read(link)).isInstanceOf(TokenFileException.class)
                .hasMessageContaining("is a symbolic link").hasMessageContaining("chmod 600");
        assertThatThrownBy(() -> AccessToken.read(dir)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> AccessToken.read(dir.resolve("missing"))).hasMessageContaining("does not exist")
                .hasMessageContaining("head -c 32 /dev/urandom");
    }

    @Test
    void shortEmptyMultiLineOrHugeTokensAreRefused() throws Exception {
        assertThatThrownBy(() -> AccessToken.read(tokenFile("\n  \n", "rw-------"))).hasMessageContaining("is empty");
        Files.delete(dir.resolve("token"));
        assertThatThrownBy(() -> AccessToken.read(tokenFile("short-token", "rw-------")))
                .hasMessageContaining("11 characters").hasMessageContaining("at least 20").hasMessageNotContaining("short-token");
        Files.delete(dir.resolve("token"));
        assertThatThrownBy(() -> AccessToken.read(tokenFile(TOKEN + "\n" + TOKEN, "rw-------")))
                .hasMessageContaining("more than one line").hasMessageNotContaining(TOKEN);
        Files.delete(dir.resolve("token"));
        assertThatThrownBy(() -> AccessToken.read(tokenFile("x".repeat(5000), "rw-------")))
                .hasMessageContaining("longer than 4096 bytes");
        assertThatThrownBy(() -> AccessToken.of("short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessToken.of(TOKEN + " " + TOKEN)).hasMessageContaining("printable ASCII");
        Files.delete(dir.resolve("token"));
        Path binary = dir.resolve("binary");
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) 0xa5);
        Files.write(binary, key);
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> AccessToken.read(binary)).hasMessageContaining("master key");
    }

    @Test
    void comparisonHashesBothSidesSoLengthDoesNotMatter() {
        AccessToken t = AccessToken.of(TOKEN);
        // equal-length and different-length wrong tokens take the same path: two SHA-256s and isEqual on 32 bytes
        assertThat(t.matches("x".repeat(TOKEN.length()))).isFalse();
        assertThat(t.matches("x".repeat(4096))).isFalse();
        assertThat(t.matches(TOKEN)).isTrue();
    }
}
