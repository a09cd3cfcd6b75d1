package io.mpsec.kernel.diag;

/**
 * A socket's TCP state as sock_diag reports it ({@code idiag_state}; numbers from
 * include/net/tcp_states.h, Linux 6.18). An MPTCP connection has a state of its own, with the
 * same numbers, apart from the states of its subflows.
 */
public enum TcpState {
    /** A number this enum does not know (a newer kernel). */
    UNKNOWN(0),
    ESTABLISHED(1),
    SYN_SENT(2),
    SYN_RECV(3),
    FIN_WAIT1(4),
    FIN_WAIT2(5),
    TIME_WAIT(6),
    CLOSE(7),
    CLOSE_WAIT(8),
    LAST_ACK(9),
    LISTEN(10),
    CLOSING(11),
    NEW_SYN_RECV(12),
    /** TCP_BOUND_INACTIVE (6.8+): bound, neither connected nor listening. */
    BOUND_INACTIVE(13);

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
        for (TcpState s : values()) {
            if (s.number == n) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
