package io.mpsec.kernel.ffi;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * errno to the exception {@code java.net.Socket} itself throws, for the calls behind MPSec's stream
 * sockets: the same type and the same message as the JDK's socket implementation (sun.nio.ch
 * NioSocketImpl, whose native side maps errno in {@code handleSocketError} and uses
 * {@code strerror} for the text). Libraries compare these messages ("Connection reset",
 * "Connection refused"), so they are pinned by ErrorsTest and checked against
 * {@code java.net.Socket} on real failures by SocketErrorsParityIT. The call and errno stay
 * reachable: the cause is the exception {@link Errors#newException} builds (a
 * {@link io.mpsec.NativeIoException} or a typed one), whose message names both.
 */
public final class SocketErrors {
    /** The JDK's text for a reset connection on read (sun.net.ConnectionResetException). */
    public static final String CONNECTION_RESET = "Connection reset";

    private SocketErrors() {
    }

    /**
     * For connect, bind and accept: ConnectException (ECONNREFUSED, ETIMEDOUT, ENOTCONN),
     * NoRouteToHostException (EHOSTUNREACH), BindException (EADDRINUSE, EADDRNOTAVAIL, EACCES), else
     * SocketException; the message is strerror. (The JDK throws ProtocolException, which is no
     * SocketException, for EPROTO; MPSec reports it as a SocketException.)
     */
    public static SocketException connect(String call, int errno) {
        String text = Syscalls.strerror(errno);
        SocketException e;
        switch (errno) {
            case Errno.ECONNREFUSED:
            case Errno.ETIMEDOUT:
            case Errno.ENOTCONN:
                e = new ConnectException(text);
                break;
            case Errno.EHOSTUNREACH:
                e = new NoRouteToHostException(text);
                break;
            case Errno.EADDRINUSE:
            case Errno.EADDRNOTAVAIL:
            case Errno.EACCES:
                e = new BindException(text);
                break;
            default:
                e = new SocketException(text);
        }
        return withCause(e, call, errno);
    }

    /** For read: "Connection reset" for ECONNRESET and EPIPE, else SocketException(strerror). */
    public static SocketException read(String call, int errno) {
        String text = errno == Errno.ECONNRESET || errno == Errno.EPIPE ? CONNECTION_RESET : Syscalls.strerror(errno);
        return withCause(new SocketException(text), call, errno);
    }

    /** For write: SocketException(strerror), e.g. "Connection reset by peer", "Broken pipe". */
    public static SocketException write(String call, int errno) {
        return withCause(new SocketException(Syscalls.strerror(errno)), call, errno);
    }

    private static SocketException withCause(SocketException e, String call, int errno) {
        e.initCause(Errors.newException(call, errno));
        return e;
    }
}
