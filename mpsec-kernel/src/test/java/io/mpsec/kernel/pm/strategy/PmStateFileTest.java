package io.mpsec.kernel.pm.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PmStateFileTest {
    @TempDir
    Path dir;

    @Test
    void writeReadDelete() throws Exception {
        PmStateFile f = new PmStateFile(dir.resolve("pm"), "mpsec-1-c");
        assertThat(f.read()).isEmpty();
        f.write("kernel");
        assertThat(f.read()).hasValue("kernel");
        assertThat(f.path()).hasFileName("mpsec-1-c.previous");
        f.delete();
        assertThat(f.read()).isEmpty();
    }

    @Test
    void rejectsPathsAsNames() {
        assertThatThrownBy(() -> new PmStateFile(dir, "../x")).isInstanceOf(IllegalArgumentException.class);
    }
}
