package io.mpsec;

/**
 * A socket's TCP state, as the kernel numbers it in include/net/tcp_states.h (Linux 6.18) and
 * reports it in {@code tcpi_state} ({@code struct tcp_info}) and sock_diag's {@code idiag_state}.
 * An MPTCP connection has a state of its own, with the same numbers, apart from the states of its
 * subflows.
 */
public enum TcpState {
    /** A number this enum does not know (a newer kernel), or no state reported. */
    UNKNOWN(0),
    /** TCP_ESTABLISHED: data can flow both ways. */
    ESTABLISHED(1),
    /** TCP_SYN_SENT: an active open waits for the SYN-ACK. */
    SYN_SENT(2),
    /** TCP_SYN_RECV: a passive open sent its SYN-ACK. */
    SYN_RECV(3),
    /** TCP_FIN_WAIT1: this end closed, its FIN not yet acknowledged. */
    FIN_WAIT1(4),
    /** TCP_FIN_WAIT2: this end's FIN acknowledged, waiting for the peer's. */
    FIN_WAIT2(5),
    /** TCP_TIME_WAIT: both ends closed; waiting out stray segments. */
    TIME_WAIT(6),
    /** TCP_CLOSE: closed. */
    CLOSE(7),
    /** TCP_CLOSE_WAIT: the peer closed; this end has not yet. */
    CLOSE_WAIT(8),
    /** TCP_LAST_ACK: both closed, waiting for the acknowledgement of this end's FIN. */
    LAST_ACK(9),
    /** TCP_LISTEN: a listening socket. */
    LISTEN(10),
    /** TCP_CLOSING: both ends closed at once. */
    CLOSING(11),
    /** TCP_NEW_SYN_RECV: a request socket (a SYN answered, no full socket yet). */
    NEW_SYN_RECV(12),
    /** TCP_BOUND_INACTIVE (6.8+): bound, neither connected nor listening. */
    BOUND_INACTIVE(13);

    private static final TcpState[] BY_NUMBER = values();

    private final int number;

    TcpState(int number) {
        this.number = number;
    }

    /** The kernel's number. */
    public int number() {
        return number;
    }

    /** The state with the kernel's number {@code n}, {@link #UNKNOWN} for any other number. */
    public static TcpState of(int n) {
        return n > 0 && n < BY_NUMBER.length ? BY_NUMBER[n] : UNKNOWN;
    }
}
