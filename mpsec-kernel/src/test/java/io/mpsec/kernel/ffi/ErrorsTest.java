package io.mpsec.kernel.ffi;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.NativeIoException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pins the errno -> exception mapping: a change here changes what users catch. */
class ErrorsTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "connect, ECONNREFUSED, java.net.ConnectException",
            "connect, ETIMEDOUT, java.net.ConnectException",
            "connect, EHOSTUNREACH, java.net.NoRouteToHostException",
            "connect, ENETUNREACH, java.net.NoRouteToHostException",
            "connect, ENETDOWN, java.net.NoRouteToHostException",
            "bind, EADDRINUSE, java.net.BindException",
            "bind, EADDRNOTAVAIL, java.net.BindException",
            "read, ECONNRESET, io.mpsec.NativeIoException",
            "write, EPIPE, io.mpsec.NativeIoException",
            "read, ETIMEDOUT, io.mpsec.NativeIoException",
            "setsockopt(TCP_CONGESTION), ENOENT, io.mpsec.NativeIoException",
            "getsockopt(MPTCP_INFO), EOPNOTSUPP, io.mpsec.NativeIoException",
            "socket, EPROTONOSUPPORT, io.mpsec.NativeIoException",
            "sendto, ECONNREFUSED, io.mpsec.NativeIoException",
    })
    void mapsErrnoToTheJdkExceptionType(String call, String errnoName, String type) throws Exception {
        int errno = Errno.class.getField(errnoName).getInt(null);
        IOException e = Errors.newException(call, errno);
        assertThat(e.getClass().getName()).isEqualTo(type);
        assertThat(e.getMessage()).startsWith(call + " failed: " + errnoName + " (" + errno + ", ");
        if (e instanceof NativeIoException) {
            NativeIoException n = (NativeIoException) e;
            assertThat(n.syscall()).isEqualTo(call);
            assertThat(n.errno()).isEqualTo(errno);
            assertThat(n.errnoName()).isEqualTo(errnoName);
        }
    }

    @ParameterizedTest
    @CsvSource({"ECONNREFUSED, Connection refused", "EADDRINUSE, Address already in use", "ENOENT, No such file or directory"})
    void messageCarriesStrerror(String errnoName, String text) throws Exception {
        int errno = Errno.class.getField(errnoName).getInt(null);
        assertThat(Errors.message("x", errno)).isEqualTo("x failed: " + errnoName + " (" + errno + ", " + text + ")");
    }

    @ParameterizedTest(name = "file {0} -> {1}")
    @CsvSource({
            "ENOENT, java.nio.file.NoSuchFileException",
            "EEXIST, java.nio.file.FileAlreadyExistsException",
            "EACCES, java.nio.file.AccessDeniedException",
            "EPERM, java.nio.file.AccessDeniedException",
            "ENOTDIR, java.nio.file.NotDirectoryException",
            "ELOOP, java.nio.file.FileSystemException",
            "EISDIR, java.nio.file.FileSystemException",
    })
    void mapsFileErrnoToTheNioType(String errnoName, String type) throws Exception {
        int errno = Errno.class.getField(errnoName).getInt(null);
        java.nio.file.FileSystemException e = Errors.newFileException("openat", "/etc/mpsec/k", errno);
        assertThat(e.getClass().getName()).isEqualTo(type);
        assertThat(e.getFile()).isEqualTo("/etc/mpsec/k");
        String text = e.getReason() != null ? e.getReason() : e.getCause().getMessage();
        assertThat(text).startsWith("openat failed: " + errnoName + " (" + errno + ", ");
    }

    @org.junit.jupiter.api.Test
    void unknownErrnoIsNamedByNumber() {
        assertThat(Errno.name(4095)).isEqualTo("errno 4095");
        assertThat(Errors.newException("ioctl", 4095)).isInstanceOf(NativeIoException.class);
        assertThat(Errors.newException("connect", Errno.ECONNREFUSED)).isInstanceOf(ConnectException.class);
        assertThat(Errors.newException("connect", Errno.EHOSTUNREACH)).isInstanceOf(NoRouteToHostException.class);
        assertThat(Errors.newException("bind", Errno.EADDRINUSE)).isInstanceOf(BindException.class);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}: {3}")
    @CsvSource({
            "connect, ECONNREFUSED, java.net.ConnectException, Connection refused",
            "connect, ETIMEDOUT, java.net.ConnectException, Connection timed out",
            "connect, EHOSTUNREACH, java.net.NoRouteToHostException, No route to host",
            "connect, ENETUNREACH, java.net.SocketException, Network is unreachable",
            "bind, EADDRINUSE, java.net.BindException, Address already in use",
            "bind, EADDRNOTAVAIL, java.net.BindException, Cannot assign requested address",
            "read, ECONNRESET, java.net.SocketException, Connection reset",
            "read, EPIPE, java.net.SocketException, Connection reset",
            "read, ETIMEDOUT, java.net.SocketException, Connection timed out",
            "write, ECONNRESET, java.net.SocketException, Connection reset by peer",
            "write, EPIPE, java.net.SocketException, Broken pipe",
    })
    void socketCallsThrowExactlyWhatTheJdkThrows(String kind, String errnoName, String type, String message) throws Exception {
        int errno = Errno.class.getField(errnoName).getInt(null);
        java.net.SocketException e = kind.equals("read") ? SocketErrors.read("recv", errno)
                : kind.equals("write") ? SocketErrors.write("send", errno) : SocketErrors.connect(kind + "(x)", errno);
        assertThat(e.getClass().getName()).isEqualTo(type);
        assertThat(e).hasMessage(message);
        assertThat(e.getCause()).as("call and errno stay reachable").hasMessageContaining(" failed: " + errnoName + " (" + errno);
    }
}
