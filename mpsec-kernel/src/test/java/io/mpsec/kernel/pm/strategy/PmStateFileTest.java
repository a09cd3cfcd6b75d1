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

    @Test
    void lockIsExclusiveNamesTheOwnerAndIsFreeAfterClose() throws Exception {
        PmStateFile f = new PmStateFile(dir.resolve("pm"), "mpsec-1-c");
        try (PmStateFile.Lock l = f.lock()) {
            assertThat(java.nio.file.Files.readString(dir.resolve("pm/mpsec-1-c.lock")).trim())
                    .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> new PmStateFile(dir.resolve("pm"), "mpsec-1-c").lock())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already runs in namespace mpsec-1-c")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
            // Another namespace is independent.
            new PmStateFile(dir.resolve("pm"), "mpsec-1-s").lock().close();
        }
        f.lock().close();
    }
}
