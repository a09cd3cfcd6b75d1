package io.mpsec.ipsec.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyGenerationsTest {
    @TempDir
    Path dir;

    @Test
    void generationStartsAtOneAndPersistsAdvances() throws Exception {
        Path key = dir.resolve("master.key");
        KeyGenerations g = new KeyGenerations(key);
        assertThat(g.current()).isEqualTo(1);
        assertThat(g.advance()).isEqualTo(2);
        assertThat(new KeyGenerations(key).current()).isEqualTo(2);
        new KeyGenerations(key).advanceTo(5);
        assertThat(new KeyGenerations(key).current()).isEqualTo(5);
        new KeyGenerations(key).advanceTo(3);
        assertThat(new KeyGenerations(key).current()).isEqualTo(5);
    }

    @Test
    void refusesToInstallTheSameGenerationTwiceEvenAfterARestart() throws Exception {
        Path key = dir.resolve("master.key");
        new KeyGenerations(key).claim("abcd", 1);
        KeyGenerations afterRestart = new KeyGenerations(key);
        assertThatThrownBy(() -> afterRestart.claim("abcd", 1)).isInstanceOf(KeyReuseException.class)
                .hasMessageContaining("generation 1").hasMessageContaining("already installed")
                .hasMessageContaining("generation 2");
        afterRestart.claim("abcd", 2);
        assertThatThrownBy(() -> afterRestart.claim("abcd", 1)).isInstanceOf(KeyReuseException.class);
        // another master key starts afresh
        afterRestart.claim("ef01", 1);
    }

    @Test
    void switchingBackToAnEarlierKeyStillRefusesItsInstalledGenerations() throws Exception {
        Path key = dir.resolve("master.key");
        new KeyGenerations(key).claim("aaaa", 3);
        new KeyGenerations(key).claim("bbbb", 1);
        KeyGenerations g = new KeyGenerations(key);
        assertThat(g.highestInstalled("aaaa")).isEqualTo(3);
        assertThat(g.highestInstalled("bbbb")).isEqualTo(1);
        assertThatThrownBy(() -> g.claim("aaaa", 3)).isInstanceOf(KeyReuseException.class).hasMessageContaining("generation 4");
        g.claim("aaaa", 4);
        assertThat(java.nio.file.Files.readAllLines(dir.resolve("master.key.installed"))).containsExactly("aaaa 4", "bbbb 1");
        assertThat(java.nio.file.Files.exists(dir.resolve("master.key.installed.tmp"))).isFalse();
    }

    @Test
    void aMalformedLedgerIsAClearError() throws Exception {
        Path key = dir.resolve("master.key");
        java.nio.file.Files.writeString(dir.resolve("master.key.installed"), "aaaa 3\nbbbb x\n");
        assertThatThrownBy(() -> new KeyGenerations(key).highestInstalled("aaaa")).isInstanceOf(KeyFileException.class)
                .hasMessageContaining("malformed").hasMessageContaining("bbbb x");
    }
}
