package io.mpsec.kernel.pm.strategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Remembers a namespace's path manager from before a strategy switched it to {@code userspace}, in
 * {@code /run/mpsec/pm/<namespace>.previous} (tmpfs: gone after reboot, when the sysctl is reset
 * anyway). A file that survives a crash tells the next start what to restore.
 */
final class PmStateFile {
    static final Path DEFAULT_DIR = Path.of("/run/mpsec/pm");
    private final Path file;

    PmStateFile(Path dir, String namespace) {
        if (namespace.contains("/") || namespace.startsWith(".")) {
            throw new IllegalArgumentException("invalid namespace name " + namespace);
        }
        this.file = dir.resolve(namespace + ".previous");
    }

    Path path() {
        return file;
    }

    Optional<String> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String v = Files.readString(file, StandardCharsets.UTF_8).trim();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** Written atomically (temp file + rename) so a crash never leaves a half-written value. */
    void write(String previous) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, previous + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
