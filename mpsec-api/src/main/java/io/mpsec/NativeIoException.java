package io.mpsec;

import java.net.SocketException;

/**
 * A system call failed with an errno that has no more specific JDK exception type.
 *
 * <p>The message always names the call and the errno, for example
 * {@code "setsockopt(TCP_CONGESTION) failed: ENOENT (2, No such file or directory)"}.
 * Errors with a well-known JDK meaning are reported with the JDK types instead
 * ({@link java.net.ConnectException}, {@link java.net.BindException},
 * {@link java.net.NoRouteToHostException}, {@link java.net.SocketTimeoutException}), with the same
 * message format.
 */
public class NativeIoException extends SocketException {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;
    private final String errnoName;

    public NativeIoException(String syscall, int errno, String errnoName, String message) {
        super(message);
        this.syscall = syscall;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The failing call, for example {@code "connect"} or {@code "getsockopt(MPTCP_INFO)"}. */
    public String syscall() {
        return syscall;
    }

    /** The Linux errno value. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, for example {@code "EOPNOTSUPP"}. */
    public String errnoName() {
        return errnoName;
    }
}
