package io.mpsec.agent.status;

import io.mpsec.agent.log.EventLog;
import io.mpsec.kernel.ffi.FileCalls;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The status socket's file: a safe directory, no stale socket, and a socket of mode 0600 that nobody
 * could connect to before its mode was set.
 *
 * <ul>
 *   <li>A missing directory is created with mode 0700 (the default {@code /run/mpsec}). An existing
 *       one must be a real directory (not a symbolic link), owned by the agent's user or root, and not
 *       writable by group or others, who could otherwise replace the socket.</li>
 *   <li>An existing file at the path must be a socket: when an agent answers on it, starting is refused;
 *       when nothing does (connection refused), it is stale and removed. Anything else is never removed.</li>
 *   <li>The socket is bound under a random temporary name in the same directory, set to 0600, then
 *       renamed over the final name, so it never exists at the final name with a looser mode.</li>
 * </ul>
 */
final class SocketFile {
    /** {@code sizeof(sockaddr_un.sun_path)} minus the terminating NUL (include/uapi/linux/un.h: UNIX_PATH_MAX 108). */
    static final int MAX_PATH_BYTES = 107;
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");
    private final Path path;
    private final EventLog log;
    private volatile Object fileKey;

    private SocketFile(Path path, EventLog log) {
        this.path = path;
        this.log = log;
    }

    /** Checks or creates the directory and removes a stale socket at {@code path}. */
    static SocketFile prepare(Path path, EventLog log) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        if (abs.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES - 24) {
            throw new IOException("status socket path " + abs + " is too long for a Unix socket (at most "
                    + (MAX_PATH_BYTES - 24) + " bytes here); choose a shorter --status-socket");
        }
        Path dir = abs.getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created by someone else meanwhile: checked below like any existing directory
            }
            Files.setPosixFilePermissions(dir, OWNER_RWX); // the umask may have removed bits
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        checkDirectory(dir, a.isSymbolicLink(), a.isDirectory(), owner, a.permissions(), FileCalls.geteuid());
        SocketFile f = new SocketFile(abs, log);
        f.removeStale();
        return f;
    }

    static void checkDirectory(Path dir, boolean symlink, boolean directory, long owner, Set<PosixFilePermission> p,
            long euid) throws IOException {
        if (symlink) {
            throw new IOException("status socket directory " + dir + " is a symbolic link; use a real directory "
                    + "(mkdir -m 700 " + dir + ") or another --status-socket");
        }
        if (!directory) {
            throw new IOException("status socket directory " + dir + " is not a directory; remove it or choose another "
                    + "--status-socket");
        }
        if (owner != euid && owner != 0) {
            throw new IOException("status socket directory " + dir + " is owned by uid " + owner + " (neither this user, uid "
                    + euid + ", nor root), who could replace the socket; use a directory of your own");
        }
        if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("status socket directory " + dir + " has mode " + PosixFilePermissions.toString(p)
                    + ": group or others can write to it and could replace the socket; run 'chmod 700 " + dir
                    + "' or use a directory only its owner can write");
        }
    }

    private void removeStale() throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!a.isOther() || a.isSymbolicLink()) {
            throw new IOException("status socket path " + path + " exists and is not a socket ("
                    + (a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory" : "a file")
                    + "); the agent never removes it: remove it yourself or choose another --status-socket");
        }
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("another agent is already listening on the status socket " + path + "; stop it first "
                    + "(mpsec status --socket " + path + " shows it) or choose another --status-socket");
        } catch (ConnectException e) {
            // ECONNREFUSED: nobody listens; the file is left by an agent that died
            Files.deleteIfExists(path);
            log.info("status.socket.stale_removed").with("path", path).write();
        }
    }

    /** Binds a listening socket of mode 0600 at the path. */
    ServerSocketChannel bind() throws IOException {
        byte[] r = new byte[6];
        new SecureRandom().nextBytes(r);
        Path tmp = path.resolveSibling("." + path.getFileName() + "." + HexFormat.of().formatHex(r));
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), 8);
            Files.setPosixFilePermissions(tmp, OWNER_RW);
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename the status socket into place in " + path.getParent(), e);
            }
            fileKey = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Removes the socket file when it is still the one this agent made. */
    void remove() {
        try {
            Object now = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey != null && fileKey.equals(now)) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // already gone, or replaced by someone else: not ours to remove
        }
    }
}
