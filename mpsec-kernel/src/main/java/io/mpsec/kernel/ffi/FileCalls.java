package io.mpsec.kernel.ffi;

import java.io.IOException;

/**
 * Checked wrappers for the file calls MPSec makes on key material, where {@code java.nio} is not
 * enough: it cannot open without following a symbolic link <em>and</em> then inspect the opened
 * descriptor, nor create a file relative to an already checked directory. Each wrapper reads errno
 * right after the call; failures become {@code java.nio.file} exceptions through
 * {@link Errors#newFileException}. Reads and writes go through a {@link NativeBuffer} that is wiped
 * afterwards, so no copy of the bytes is left in freed native memory.
 */
public final class FileCalls {
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

    // include/uapi/asm-generic/fcntl.h (x86_64); arm64 overrides O_DIRECTORY and O_NOFOLLOW in
    // arch/arm64/include/uapi/asm/fcntl.h.
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    public static final int O_CLOEXEC = 02000000;
    // include/uapi/linux/fcntl.h
    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    // include/uapi/linux/stat.h: struct statx (256 bytes, the same on every architecture)
    static final int STATX_SIZEOF = 256;
    static final int STATX_TYPE = 0x1;
    static final int STATX_MODE = 0x2;
    static final int STATX_NLINK = 0x4;
    static final int STATX_UID = 0x8;
    static final int STATX_GID = 0x10;
    static final int STATX_INO = 0x100;
    static final int STATX_SIZE = 0x200;
    private static final int STATX_WANTED = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID | STATX_INO
            | STATX_SIZE;
    // include/uapi/asm-generic/fcntl.h: flock(2) operations
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    /** Chunk size of secret reads and writes (key files are tens of bytes, ledgers a few lines). */
    private static final int CHUNK = 4096;

    private FileCalls() {
    }

    /**
     * {@code openat(2)} with {@code O_CLOEXEC} added. Returns the descriptor, or {@code -errno} so the
     * caller can explain the errors it expects (ELOOP from O_NOFOLLOW, ENOENT, EEXIST) in its own words.
     *
     * @param dirfd a directory descriptor, or {@link #AT_FDCWD}
     * @param mode creation mode, used only with {@link #O_CREAT}
     */
    public static int openatOrErrno(int dirfd, String path, int flags, int mode) {
        int fd = Syscalls.libc().openat(dirfd, path, flags | O_CLOEXEC, mode);
        return fd < 0 ? -Syscalls.errno() : fd;
    }

    /** Opens a directory read-only ({@code O_DIRECTORY}, following symbolic links in the path). */
    public static int openDirectory(String path) throws IOException {
        int fd = openatOrErrno(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) {
            throw Errors.newFileException("open(O_DIRECTORY)", path, -fd);
        }
        return fd;
    }

    /**
     * {@code fstat} of an open descriptor, through {@code statx(fd, "", AT_EMPTY_PATH)}: unlike
     * {@code struct stat}, {@code struct statx} has one layout on every architecture.
     */
    public static FileStat fstat(int fd, String what) throws IOException {
        try (NativeBuffer b = NativeBuffer.allocate(STATX_SIZEOF)) {
            if (Syscalls.libc().statx(fd, "", AT_EMPTY_PATH, STATX_WANTED, b.pointer()) < 0) {
                throw Errors.newFileException("statx(AT_EMPTY_PATH)", what, Syscalls.errno());
            }
            byte[] s = new byte[STATX_SIZEOF];
            b.get(s, 0, STATX_SIZEOF);
            return decodeStatx(s, what);
        }
    }

    /**
     * Decodes the fields MPSec needs from {@code struct statx}:
     * <pre>
     * struct statx {
     *     __u32 stx_mask;        //  0  which fields are filled in
     *     __u32 stx_blksize;     //  4
     *     __u64 stx_attributes;  //  8
     *     __u32 stx_nlink;       // 16
     *     __u32 stx_uid;         // 20
     *     __u32 stx_gid;         // 24
     *     __u16 stx_mode;        // 28
     *     __u16 __spare0[1];     // 30
     *     __u64 stx_ino;         // 32
     *     __u64 stx_size;        // 40
     *     ...
     *     __u32 stx_dev_major;   // 136  device holding the file
     *     __u32 stx_dev_minor;   // 140
     *     ...                    // 256 bytes in all
     * };
     * </pre>
     */
    static FileStat decodeStatx(byte[] s, String what) throws IOException {
        int mask = Bytes.intLE(s, 0);
        if ((mask & STATX_WANTED) != STATX_WANTED) {
            throw new IOException("statx(" + what + ") did not report type, mode, owner and size (stx_mask 0x"
                    + Integer.toHexString(mask) + ")");
        }
        return new FileStat(Bytes.shortLE(s, 28) & 0xffff, Bytes.uintLE(s, 20), Bytes.uintLE(s, 24), Bytes.longLE(s, 40),
                Bytes.uintLE(s, 16), Bytes.longLE(s, 32), Bytes.uintLE(s, 136), Bytes.uintLE(s, 140));
    }

    /**
     * Reads up to {@code len} bytes into {@code dst}, until EOF or {@code len}; returns the count.
     * The bytes pass through native memory that is wiped before this returns. EINTR is retried.
     */
    public static int read(int fd, byte[] dst, int off, int len, String what) throws IOException {
        int total = 0;
        try (NativeBuffer b = NativeBuffer.allocate(CHUNK)) {
            while (total < len) {
                int want = Math.min(CHUNK, len - total);
                long n = Syscalls.libc().read(fd, b.pointer(), want);
                if (n < 0) {
                    int e = Syscalls.errno();
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    throw Errors.newFileException("read", what, e);
                }
                if (n == 0) {
                    break;
                }
                b.get(dst, off + total, (int) n);
                total += (int) n;
            }
        }
        return total;
    }

    /** Writes all {@code len} bytes of {@code src} from {@code off}; through native memory wiped afterwards. */
    public static void writeFully(int fd, byte[] src, int off, int len, String what) throws IOException {
        int done = 0;
        try (NativeBuffer b = NativeBuffer.allocate(CHUNK)) {
            while (done < len) {
                int chunk = Math.min(CHUNK, len - done);
                b.put(src, off + done, chunk);
                int written = 0;
                while (written < chunk) {
                    long n = Syscalls.libc().write(fd, b.pointer().slice(written), chunk - written);
                    if (n < 0) {
                        int e = Syscalls.errno();
                        if (e == Errno.EINTR) {
                            continue;
                        }
                        throw Errors.newFileException("write", what, e);
                    }
                    written += (int) n;
                }
                done += chunk;
            }
        }
    }

    /** {@code fsync(2)}: file data and metadata (or a directory's entries) reach the disk. */
    public static void fsync(int fd, String what) throws IOException {
        if (Syscalls.libc().fsync(fd) < 0) {
            throw Errors.newFileException("fsync", what, Syscalls.errno());
        }
    }

    /** {@code fchmod(2)}: sets the permission bits of the open file (never by path). */
    public static void fchmod(int fd, int mode, String what) throws IOException {
        if (Syscalls.libc().fchmod(fd, mode) < 0) {
            throw Errors.newFileException("fchmod(0" + Integer.toOctalString(mode) + ")", what, Syscalls.errno());
        }
    }

    /** {@code unlinkat(2)} of a file in an open directory; returns 0 or {@code -errno}. */
    public static int unlinkatOrErrno(int dirfd, String name) {
        return Syscalls.libc().unlinkat(dirfd, name, 0) < 0 ? -Syscalls.errno() : 0;
    }

    /** {@code renameat(2)} within one directory: atomically replaces {@code to} (a link there is replaced, not followed). */
    public static void renameat(int dirfd, String from, String to, String what) throws IOException {
        if (Syscalls.libc().renameat(dirfd, from, dirfd, to) < 0) {
            throw Errors.newFileException("renameat(" + from + ", " + to + ")", what, Syscalls.errno());
        }
    }

    /**
     * {@code flock(2)}; returns 0 or {@code -errno} ({@code -EAGAIN} when {@link #LOCK_NB} is set and
     * another open file description holds the lock). EINTR is retried. A flock lock belongs to the
     * open file description: closing another descriptor of the same file does not release it.
     */
    public static int flockOrErrno(int fd, int operation) {
        while (true) {
            if (Syscalls.libc().flock(fd, operation) == 0) {
                return 0;
            }
            int e = Syscalls.errno();
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** The effective user id of this process. */
    public static long geteuid() {
        return Syscalls.libc().geteuid() & 0xffffffffL;
    }
}
