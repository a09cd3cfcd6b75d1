package io.mpsec;

/** What a socket does when MPTCP cannot be used for a connection. */
public enum FallbackPolicy {
    /**
     * Use plain TCP when MPTCP is unavailable on this host or the peer does not speak it. The
     * connection works on one path; {@link MpsecSocket#isMultipath()} reports {@code false} and
     * {@link Mptcp#unavailabilityCause()} says why when the host is the reason. This is the default.
     */
    ALLOW_TCP,
    /**
     * Fail instead of falling back: {@code connect} throws {@link MptcpUnavailableException} when
     * this host cannot create MPTCP sockets, and {@link MptcpFallbackException} when the connection
     * to the peer fell back to TCP. An accepted connection that fell back is closed and skipped.
     */
    REQUIRE_MPTCP
}
