package io.mpsec.ipsec.keys;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.FileCalls;
import io.mpsec.kernel.ffi.FileStat;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The directory of a key file, held open, and the small text files MPSec keeps in it (the generation
 * ledger and its lock). Every file is opened relative to the directory descriptor, never by a path
 * that could be redirected, and without following symbolic links: a link where a ledger file should
 * be is refused. Writes go to a fresh temporary file (O_CREAT|O_EXCL), are fsynced, renamed over the
 * target and the directory fsynced.
 */
final class LedgerDirectory implements AutoCloseable {
    /** Ledger files are a few lines; anything larger is not ours. */
    private static final int MAX_FILE = 64 * 1024;

    private final Path dir;
    private final int fd;

    private LedgerDirectory(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    /** Opens the directory of {@code keyFile} and checks that only its owner (this user or root) can change it. */
    static LedgerDirectory open(Path keyFile) throws IOException {
        Path parent = keyFile.toAbsolutePath().getParent();
        int fd;
        try {
            fd = FileCalls.openDirectory(parent.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KeyFileException("directory " + parent + " of key file " + keyFile + " does not exist; create it "
                    + "(mkdir -m 700 " + parent + ")");
        }
        try {
            MasterKeyFile.checkDirectory(parent, FileCalls.fstat(fd, parent.toString()));
            return new LedgerDirectory(parent, fd);
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(fd);
            throw e;
        }
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** Opens (creating with mode 0600) a regular file for reading and writing; the caller closes the descriptor. */
    int openOrCreate(String name) throws IOException {
        int f = FileCalls.openatOrErrno(fd, name, FileCalls.O_RDWR | FileCalls.O_CREAT | FileCalls.O_NOFOLLOW
                | FileCalls.O_NOCTTY | FileCalls.O_NONBLOCK, 0600);
        if (f < 0) {
            throw openError(name, -f);
        }
        try {
            requireRegular(name, FileCalls.fstat(f, path(name).toString()));
            return f;
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(f);
            throw e;
        }
    }

    /** The content of {@code name} (US-ASCII), or {@code null} when it does not exist. */
    String readOrNull(String name) throws IOException {
        int f = FileCalls.openatOrErrno(fd, name, FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW | FileCalls.O_NOCTTY
                | FileCalls.O_NONBLOCK, 0);
        if (f == -Errno.ENOENT) {
            return null;
        }
        if (f < 0) {
            throw openError(name, -f);
        }
        try {
            requireRegular(name, FileCalls.fstat(f, path(name).toString()));
            byte[] b = new byte[MAX_FILE + 1];
            int n = FileCalls.read(f, b, 0, b.length, path(name).toString());
            if (n > MAX_FILE) {
                throw new KeyFileException(path(name) + " is larger than " + MAX_FILE + " bytes; it is not an MPSec ledger file");
            }
            return new String(b, 0, n, StandardCharsets.US_ASCII);
        } finally {
            Syscalls.closeQuietly(f);
        }
    }

    /**
     * Replaces {@code name} with {@code content}: written to {@code name.tmp} (created fresh, mode
     * 0600), fsynced, renamed over {@code name}, then the directory fsynced. After a crash the file
     * holds the old or the new content; once this returns, the new content survives a power loss.
     */
    void writeAtomically(String name, String content) throws IOException {
        String tmp = name + ".tmp";
        int u = FileCalls.unlinkatOrErrno(fd, tmp); // left by a crash; unlink removes a link itself, never its target
        if (u < 0 && u != -Errno.ENOENT) {
            throw Errors.newFileException("unlinkat", path(tmp).toString(), -u);
        }
        int f = FileCalls.openatOrErrno(fd, tmp, FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL
                | FileCalls.O_NOFOLLOW | FileCalls.O_NOCTTY, 0600);
        if (f < 0) {
            throw openError(tmp, -f);
        }
        byte[] b = content.getBytes(StandardCharsets.US_ASCII);
        try {
            FileCalls.writeFully(f, b, 0, b.length, path(tmp).toString());
            FileCalls.fsync(f, path(tmp).toString());
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(f);
            FileCalls.unlinkatOrErrno(fd, tmp);
            throw e;
        } finally {
            Arrays.fill(b, (byte) 0);
        }
        Syscalls.close(f);
        FileCalls.renameat(fd, tmp, name, path(name).toString());
        FileCalls.fsync(fd, dir.toString());
    }

    private IOException openError(String name, int errno) {
        if (errno == Errno.ELOOP) {
            return new KeyFileException(path(name) + " is a symbolic link; MPSec keeps its key ledger only in regular "
                    + "files next to the key. Remove the link (MPSec recreates the file) and check who made it.");
        }
        return Errors.newFileException("open(O_NOFOLLOW)", path(name).toString(), errno);
    }

    private void requireRegular(String name, FileStat st) throws KeyFileException {
        if (!st.isRegularFile()) {
            throw new KeyFileException(path(name) + " is a " + st.typeName() + ", not a regular file; MPSec keeps its key "
                    + "ledger only in regular files. Remove it (MPSec recreates the file).");
        }
    }

    @Override
    public void close() {
        Syscalls.closeQuietly(fd);
    }
}
