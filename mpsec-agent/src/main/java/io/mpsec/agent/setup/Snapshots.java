package io.mpsec.agent.setup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The snapshots setup saves before it changes anything, one per namespace:
 * {@code STATE_DIR/NAMESPACE/snapshot.json} ({@code host} for the process's own namespace), written
 * to a temporary file, forced to disk and renamed. It holds no secrets (policies and SAs by
 * selector and reqid, never keys).
 */
final class Snapshots {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * A saved snapshot.
     *
     * @param namespace the namespace label
     * @param created   when (ISO-8601)
     * @param config    the configuration file of the run
     * @param scope     the desired state of the run: which items it touched
     * @param before    those items as they were before the run
     */
    record Snapshot(String namespace, String created, String config, NetState scope, NetState before) {
    }

    private Snapshots() {
    }

    static Path file(Path stateDir, String label) {
        return stateDir.resolve(label).resolve("snapshot.json");
    }

    static void save(Path stateDir, Snapshot s) throws IOException {
        Path dir = stateDir.resolve(s.namespace());
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = dir.resolve("snapshot.json.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, JSON.writeValueAsBytes(s));
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        }
        Files.move(tmp, dir.resolve("snapshot.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Optional<Snapshot> load(Path stateDir, String label) throws IOException {
        Path f = file(stateDir, label);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(f.toFile(), Snapshot.class));
    }

    /** Keeps an undone snapshot as {@code snapshot.undone-EPOCH.json}, so a second undo finds nothing to undo. */
    static void retire(Path stateDir, String label) throws IOException {
        Path f = file(stateDir, label);
        Files.move(f, f.resolveSibling("snapshot.undone-" + System.currentTimeMillis() + ".json"));
    }
}
