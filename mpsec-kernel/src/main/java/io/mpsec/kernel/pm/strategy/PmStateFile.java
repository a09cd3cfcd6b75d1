package io.mpsec.kernel.pm.strategy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Remembers a namespace's path manager from before a strategy switched it to {@code userspace}, in
 * {@code /run/mpsec/pm/<namespace>.previous} (tmpfs: gone after reboot, when the sysctl is reset
 * anyway). A file that survives a crash tells the next start what to restore.
 *
 * <p>A running runner also holds an exclusive lock on {@code <namespace>.lock} (an {@code fcntl}
 * lock through {@link FileChannel#tryLock()}, released by the kernel when the process dies) with its
 * PID written in it. So a {@code .previous} file found while the lock is free is from a crashed run,
 * and a lock held by someone else means a second live runner, which is refused.
 */
final class PmStateFile {
    static final Path DEFAULT_DIR = Path.of("/run/mpsec/pm");
    private final Path file;
    private final Path lockFile;
    private final String namespace;

    PmStateFile(Path dir, String namespace) {
        if (namespace.contains("/") || namespace.startsWith(".")) {
            throw new IllegalArgumentException("invalid namespace name " + namespace);
        }
        this.file = dir.resolve(namespace + ".previous");
        this.lockFile = dir.resolve(namespace + ".lock");
        this.namespace = namespace;
    }

    /** The exclusive lock of a running runner; {@link #close()} releases it. */
    static final class Lock implements AutoCloseable {
        private final FileChannel channel;

        private Lock(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void close() throws IOException {
            channel.close(); // releases the lock
        }
    }

    /**
     * Takes the namespace's runner lock and writes this process's PID into it.
     *
     * @throws IllegalStateException when another live runner (this or another process) holds it
     */
    Lock lock() throws IOException {
        Files.createDirectories(lockFile.getParent());
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                l = null;
            }
            if (l == null) {
                String owner = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
                throw new IllegalStateException("a path-manager strategy runner already runs in namespace " + namespace
                        + " (pid " + (owner.isEmpty() ? "unknown" : owner) + ", lock " + lockFile
                        + "); two runners would both drive the userspace path manager: stop that one first");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new Lock(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
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
