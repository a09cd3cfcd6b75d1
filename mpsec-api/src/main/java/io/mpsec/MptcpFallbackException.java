package io.mpsec;

/**
 * The connection was established but fell back to plain TCP (the peer, or a middlebox on the way,
 * does not speak MPTCP) while the socket's {@link FallbackPolicy} was {@link FallbackPolicy#REQUIRE_MPTCP}.
 * The connection has already been closed when this is thrown.
 */
public class MptcpFallbackException extends MptcpUnavailableException {
    private static final long serialVersionUID = 1L;

    public MptcpFallbackException(String message) {
        super(message);
    }
}
