package io.mpsec;

import java.net.SocketException;

/**
 * MPTCP was required but cannot be used: either the kernel cannot create MPTCP sockets at all
 * (built without {@code CONFIG_MPTCP}, or {@code net.mptcp.enabled=0} in this network namespace), or
 * the connection fell back to plain TCP while {@link FallbackPolicy#REQUIRE_MPTCP} was set.
 */
public class MptcpUnavailableException extends SocketException {
    private static final long serialVersionUID = 1L;

    public MptcpUnavailableException(String message) {
        super(message);
    }

    public MptcpUnavailableException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
