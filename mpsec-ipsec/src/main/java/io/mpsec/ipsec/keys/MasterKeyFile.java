package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.FileCalls;
import io.mpsec.kernel.ffi.FileStat;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The master key file: 32 random bytes (256 bits), readable by its owner only. Both hosts of a
 * secure path hold a copy of the same file and derive all SA keys and SPIs from it.
 *
 * <p>{@link #load} opens the file without following a symbolic link, checks the <em>opened</em>
 * descriptor (a regular file, owned by the effective user, mode 0600 or 0400) and reads from that same
 * descriptor, so the file checked is the file read: nothing can be swapped in between. The file is
 * opened relative to its directory, which must not be writable by group or others (unless it is a
 * root-owned sticky directory such as {@code /tmp}), and owned by the effective user or root;
 * otherwise someone else could replace the key.
 *
 * <p>{@link #generate} creates the file atomically with mode 0600 ({@code O_CREAT|O_EXCL|O_NOFOLLOW};
 * never a chmod by path), writes and fsyncs it, then fsyncs the directory.
 */
public final class MasterKeyFile {
    /** Master key length in bytes. */
    public static final int KEY_BYTES = 32;
    private static final int OWNER_RW = 0600;
    private static final int OWNER_R = 0400;

    private MasterKeyFile() {
    }

    /**
     * Writes a new random master key to {@code file}, created with mode 0600 in the create call (the
     * key is never readable by others, not even briefly; a umask that removes owner bits is corrected
     * with {@code fchmod} on the descriptor). The file and its directory are fsynced before this
     * returns.
     *
     * @throws KeyFileException if the file already exists (an existing key is never overwritten) or the
     *         directory is unsafe
     */
    public static void generate(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        String name = abs.getFileName().toString();
        int dir = openCheckedDirectory(abs);
        try {
            int fd = FileCalls.openatOrErrno(dir, name, FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_EXCL
                    | FileCalls.O_NOFOLLOW | FileCalls.O_NOCTTY, OWNER_RW);
            if (fd == -Errno.EEXIST && java.nio.file.Files.isSymbolicLink(abs)) {
                throw new KeyFileException("key file " + abs + " is a symbolic link; MPSec writes the key only to a new "
                        + "regular file and never through a link. Remove the link or choose another path.");
            }
            if (fd == -Errno.EEXIST) {
                throw new KeyFileException("key file " + abs + " already exists; MPSec never overwrites a key. "
                        + "Delete it first if you really want a new key (both hosts then need the new file).");
            }
            if (fd < 0) {
                throw Errors.newFileException("open(O_CREAT|O_EXCL|O_NOFOLLOW)", abs.toString(), -fd);
            }
            byte[] key = new byte[KEY_BYTES];
            boolean written = false;
            try {
                if (FileCalls.fstat(fd, abs.toString()).permissions() != OWNER_RW) {
                    // The umask can only remove bits (umask 0277 gives 0400): restore exactly 0600, on the descriptor.
                    FileCalls.fchmod(fd, OWNER_RW, abs.toString());
                }
                new SecureRandom().nextBytes(key);
                FileCalls.writeFully(fd, key, 0, KEY_BYTES, abs.toString());
                FileCalls.fsync(fd, abs.toString());
                written = true;
            } finally {
                Arrays.fill(key, (byte) 0);
                Syscalls.closeQuietly(fd);
                if (!written) {
                    FileCalls.unlinkatOrErrno(dir, name); // no half-written key file left behind
                }
            }
            FileCalls.fsync(dir, abs.getParent().toString());
        } finally {
            Syscalls.closeQuietly(dir);
        }
    }

    /**
     * Reads the master key.
     *
     * @throws KeyFileException when the file is missing, a symbolic link, not a regular file, owned by
     *         another user, accessible by group or others, in an unsafe directory, or not exactly 32 bytes;
     *         the message says what to run to fix it
     */
    public static SecretBytes load(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        int dir = openCheckedDirectory(abs);
        try {
            int fd = FileCalls.openatOrErrno(dir, abs.getFileName().toString(),
                    FileCalls.O_RDONLY | FileCalls.O_NOFOLLOW | FileCalls.O_NOCTTY | FileCalls.O_NONBLOCK, 0);
            if (fd < 0) {
                throw openError(abs, -fd);
            }
            try {
                checkKeyFile(abs, FileCalls.fstat(fd, abs.toString()));
                byte[] raw = new byte[KEY_BYTES + 1];
                int n = FileCalls.read(fd, raw, 0, raw.length, abs.toString());
                if (n != KEY_BYTES) {
                    Arrays.fill(raw, (byte) 0);
                    throw new KeyFileException("key file " + abs + " holds " + (n > KEY_BYTES ? "more than " + KEY_BYTES : n)
                            + " bytes, expected " + KEY_BYTES + " (a 256-bit key written by 'mpsec keygen')");
                }
                byte[] key = Arrays.copyOf(raw, KEY_BYTES);
                Arrays.fill(raw, (byte) 0);
                return SecretBytes.wrap(key);
            } finally {
                Syscalls.closeQuietly(fd);
            }
        } finally {
            Syscalls.closeQuietly(dir);
        }
    }

    private static IOException openError(Path file, int errno) {
        switch (errno) {
            case Errno.ELOOP:
                return new KeyFileException("key file " + file + " is a symbolic link; MPSec reads the key only from a "
                        + "regular file. Put the key file itself at this path (for example: cp --remove-destination "
                        + "\"$(readlink -f " + file + ")\" " + file + ") and check its owner and mode.");
            case Errno.ENOENT:
                return new KeyFileException("key file " + file + " does not exist; create one with 'mpsec keygen " + file
                        + "' and copy it to the peer over a secure channel");
            case Errno.EACCES:
                return new KeyFileException("key file " + file + " is not readable by this process (uid "
                        + FileCalls.geteuid() + "): permission denied; run MPSec as the key's owner");
            default:
                return Errors.newFileException("open(O_NOFOLLOW)", file.toString(), errno);
        }
    }

    /** The checks on the opened key file: a regular file of ours that nobody else can read or write. */
    static void checkKeyFile(Path file, FileStat st) throws KeyFileException {
        if (!st.isRegularFile()) {
            throw new KeyFileException("key file " + file + " is a " + st.typeName() + ", not a regular file; "
                    + "MPSec reads the key only from a regular file written by 'mpsec keygen'");
        }
        long euid = FileCalls.geteuid();
        if (st.uid() != euid) {
            throw new KeyFileException("key file " + file + " is owned by uid " + st.uid() + ", but MPSec runs as uid "
                    + euid + "; the key must belong to the user that runs MPSec: run 'chown " + euid + " " + file
                    + "' (as root) or run MPSec as uid " + st.uid());
        }
        int perms = st.permissions();
        if (perms != OWNER_RW && perms != OWNER_R) {
            throw new KeyFileException("key file " + file + " has mode 0" + Integer.toOctalString(perms) + " ("
                    + st.permissionString() + "); it must be 0600 or 0400, with nothing for group or others: run 'chmod 600 "
                    + file + "'" + ((perms & 0077) != 0 ? " and consider the key compromised if others could read it" : ""));
        }
    }

    /**
     * Opens the directory of {@code file} and checks that only its owner (the effective user or root)
     * can change its entries; returns the descriptor (the caller closes it).
     */
    private static int openCheckedDirectory(Path file) throws IOException {
        Path parent = file.getParent();
        int dir;
        try {
            dir = FileCalls.openDirectory(parent.toString());
        } catch (NoSuchFileException e) {
            throw new KeyFileException("directory " + parent + " of key file " + file + " does not exist; create it "
                    + "(mkdir -m 700 " + parent + ")");
        }
        try {
            checkDirectory(parent, FileCalls.fstat(dir, parent.toString()));
            return dir;
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(dir);
            throw e;
        }
    }

    /** Whoever can write the directory can replace the key file; only the effective user or root may. */
    static void checkDirectory(Path dir, FileStat st) throws KeyFileException {
        long euid = FileCalls.geteuid();
        if (st.uid() != euid && st.uid() != 0) {
            throw new KeyFileException("directory " + dir + " of the key file is owned by uid " + st.uid()
                    + " (neither this user, uid " + euid + ", nor root), who could replace the key; keep the key in a "
                    + "directory owned by uid " + euid + " or root");
        }
        boolean othersWrite = (st.permissions() & 0022) != 0;
        boolean rootSticky = (st.permissions() & FileStat.S_ISVTX) != 0 && st.uid() == 0;
        if (othersWrite && !rootSticky) {
            throw new KeyFileException("directory " + dir + " of the key file has mode 0"
                    + Integer.toOctalString(st.permissions()) + " (" + st.permissionString()
                    + "): group or others can write to it and so replace the key; run 'chmod go-w " + dir
                    + "' or keep the key in a directory that only its owner can write");
        }
    }
}
