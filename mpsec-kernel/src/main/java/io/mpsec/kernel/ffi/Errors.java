package io.mpsec.kernel.ffi;

import io.mpsec.NativeIoException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;

/**
 * The one place where errno values become Java exceptions. Every message names the failing call
 * and the errno: {@code "connect(198.18.1.2:80) failed: ECONNREFUSED (111, Connection refused)"}.
 * The mapping follows what the JDK's own socket implementation throws, so code written against
 * {@link java.net.Socket} sees the exception types it already handles. It is pinned by a table test.
 */
public final class Errors {
    private Errors() {
    }

    /** The exception for {@code errno} returned by {@code call}. */
    public static IOException newException(String call, int errno) {
        String message = message(call, errno);
        switch (errno) {
            case Errno.ECONNREFUSED:
            case Errno.ETIMEDOUT:
                if (call.startsWith("connect")) {
                    return new ConnectException(message);
                }
                return nativeIo(call, errno, message);
            case Errno.EADDRINUSE:
            case Errno.EADDRNOTAVAIL:
                return new BindException(message);
            case Errno.EHOSTUNREACH:
            case Errno.ENETUNREACH:
            case Errno.EHOSTDOWN:
            case Errno.ENETDOWN:
                return new NoRouteToHostException(message);
            default:
                return nativeIo(call, errno, message);
        }
    }

    /** Like {@link #newException} but for a {@code PortUnreachableException}-capable datagram call. */
    public static IOException newDatagramException(String call, int errno) {
        if (errno == Errno.ECONNREFUSED) {
            return new PortUnreachableException(message(call, errno));
        }
        return newException(call, errno);
    }

    /**
     * The exception for {@code errno} returned by a file call on {@code path}: the
     * {@code java.nio.file} type a JDK file operation would throw (NoSuchFileException,
     * FileAlreadyExistsException, AccessDeniedException, NotDirectoryException), else a
     * {@link FileSystemException}. The reason always names the call and the errno.
     */
    public static FileSystemException newFileException(String call, String path, int errno) {
        String reason = message(call, errno);
        switch (errno) {
            case Errno.ENOENT:
                return new NoSuchFileException(path, null, reason);
            case Errno.EEXIST:
                return new FileAlreadyExistsException(path, null, reason);
            case Errno.EACCES:
            case Errno.EPERM:
                return new AccessDeniedException(path, null, reason);
            case Errno.ENOTDIR: {
                NotDirectoryException e = new NotDirectoryException(path);
                e.initCause(new IOException(reason));
                return e;
            }
            default:
                return new FileSystemException(path, null, reason);
        }
    }

    /** {@code "<call> failed: <NAME> (<errno>, <strerror>)"}. */
    public static String message(String call, int errno) {
        return call + " failed: " + Errno.name(errno) + " (" + errno + ", " + Syscalls.strerror(errno) + ")";
    }

    private static NativeIoException nativeIo(String call, int errno, String message) {
        return new NativeIoException(call, errno, Errno.name(errno), message);
    }
}
