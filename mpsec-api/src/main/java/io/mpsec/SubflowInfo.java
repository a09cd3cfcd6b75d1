package io.mpsec;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One TCP subflow of an MPTCP connection at one moment. The kernel reports it through
 * {@code getsockopt(SOL_MPTCP, MPTCP_FULL_INFO)} (Linux 6.5+: id, addresses and {@code struct
 * tcp_info} in one call) or, on Linux 5.16 to 6.4, {@code MPTCP_TCPINFO} plus
 * {@code MPTCP_SUBFLOW_ADDRS} (include/uapi/linux/mptcp.h). The {@code tcp_info} values come from
 * include/uapi/linux/tcp.h and are reported by every kernel with those calls.
 *
 * <p>A subflow carries no key material. Instances are immutable; the kernel implementation builds
 * them with {@link #builder(InetSocketAddress, InetSocketAddress)}.
 */
public final class SubflowInfo {
    private final int id;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final long rttMicros;
    private final long cwnd;
    private final long bytesSent;
    private final long bytesReceived;
    private final long bytesAcked;
    private final Boolean backup;
    private final TcpState tcpState;

    private SubflowInfo(Builder b) {
        id = b.id;
        local = b.local;
        remote = b.remote;
        rttMicros = b.rttMicros;
        cwnd = b.cwnd;
        bytesSent = b.bytesSent;
        bytesReceived = b.bytesReceived;
        bytesAcked = b.bytesAcked;
        backup = b.backup;
        tcpState = b.tcpState;
    }

    /**
     * A builder for the subflow between {@code local} and {@code remote}, with no id, backup flag
     * unknown, state {@link TcpState#UNKNOWN} and zero counters.
     *
     * @throws NullPointerException naming the address that is missing
     */
    public static Builder builder(InetSocketAddress local, InetSocketAddress remote) {
        return new Builder(local, remote);
    }

    /**
     * The kernel's id of this subflow within its connection ({@code mptcp_subflow_info.id},
     * MPTCP_FULL_INFO, Linux 6.5+); empty where the subflows were read with MPTCP_TCPINFO and
     * MPTCP_SUBFLOW_ADDRS (Linux 5.16 to 6.4), which carry no id.
     */
    public OptionalInt id() {
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The local address and port (the {@code ss_local} half of {@code struct mptcp_subflow_addrs}). */
    public InetSocketAddress local() {
        return local;
    }

    /** The remote address and port (the {@code ss_remote} half of {@code struct mptcp_subflow_addrs}). */
    public InetSocketAddress remote() {
        return remote;
    }

    /** Smoothed round-trip time in microseconds ({@code tcpi_rtt}; always reported). */
    public long rttMicros() {
        return rttMicros;
    }

    /** Congestion window in segments ({@code tcpi_snd_cwnd}; always reported). */
    public long cwnd() {
        return cwnd;
    }

    /** Bytes sent on this subflow, retransmissions included ({@code tcpi_bytes_sent}, Linux 4.19+; always reported). */
    public long bytesSent() {
        return bytesSent;
    }

    /** Bytes received on this subflow ({@code tcpi_bytes_received}, Linux 4.1+; always reported). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Bytes the peer acknowledged on this subflow ({@code tcpi_bytes_acked}, Linux 4.1+; always reported). */
    public long bytesAcked() {
        return bytesAcked;
    }

    /**
     * Whether either end marked this subflow as a backup path (MP_PRIO / a backup endpoint). No
     * getsockopt reports it: it comes from sock_diag's MPTCP ULP info ({@code MPTCP_SUBFLOW_ATTR_FLAGS}
     * BKUP_LOC / BKUP_REM, include/uapi/linux/mptcp.h), which the kernel gives only to a caller with
     * CAP_NET_ADMIN. Empty when that query was not possible or did not find the subflow: unknown,
     * not "no".
     */
    public Optional<Boolean> backup() {
        return Optional.ofNullable(backup);
    }

    /** The subflow's TCP state ({@code tcpi_state}); {@link TcpState#UNKNOWN} for a number this version does not know. */
    public TcpState tcpState() {
        return tcpState;
    }

    /** This subflow with its backup flag known to be {@code backup}. */
    public SubflowInfo withBackup(boolean backup) {
        return toBuilder().backup(backup).build();
    }

    private Builder toBuilder() {
        Builder b = new Builder(local, remote);
        b.id = id;
        b.rttMicros = rttMicros;
        b.cwnd = cwnd;
        b.bytesSent = bytesSent;
        b.bytesReceived = bytesReceived;
        b.bytesAcked = bytesAcked;
        b.backup = backup;
        b.tcpState = tcpState;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SubflowInfo)) {
            return false;
        }
        SubflowInfo x = (SubflowInfo) o;
        return id == x.id && local.equals(x.local) && remote.equals(x.remote) && rttMicros == x.rttMicros
                && cwnd == x.cwnd && bytesSent == x.bytesSent && bytesReceived == x.bytesReceived
                && bytesAcked == x.bytesAcked && Objects.equals(backup, x.backup) && tcpState == x.tcpState;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, local, remote, rttMicros, cwnd, bytesSent, bytesReceived, bytesAcked, backup, tcpState);
    }

    @Override
    public String toString() {
        return "SubflowInfo{" + (id < 0 ? "" : "id=" + id + ", ") + local + " -> " + remote + ", " + tcpState
                + ", backup=" + (backup == null ? "unknown" : backup) + ", rttMicros=" + rttMicros + ", cwnd=" + cwnd
                + ", bytesSent=" + bytesSent + ", bytesReceived=" + bytesReceived + ", bytesAcked=" + bytesAcked + '}';
    }

    /**
     * Builds a {@link SubflowInfo}. The setters of unsigned 32-bit {@code tcp_info} fields throw
     * {@link IllegalArgumentException} naming the field for a negative value.
     */
    public static final class Builder {
        private int id = -1;
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private long rttMicros;
        private long cwnd;
        private long bytesSent;
        private long bytesReceived;
        private long bytesAcked;
        private Boolean backup;
        private TcpState tcpState = TcpState.UNKNOWN;

        private Builder(InetSocketAddress local, InetSocketAddress remote) {
            this.local = Objects.requireNonNull(local, "local address of the subflow");
            this.remote = Objects.requireNonNull(remote, "remote address of the subflow");
        }

        /** {@code mptcp_subflow_info.id} (MPTCP_FULL_INFO), unsigned 32 bits as the kernel gives it. */
        public Builder id(long v) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("subflow id must be 0.." + Integer.MAX_VALUE + ", got " + v);
            }
            id = (int) v;
            return this;
        }

        /** {@code tcpi_rtt}, microseconds (unsigned 32 bits). */
        public Builder rttMicros(long v) {
            rttMicros = nonNegative("rttMicros", v);
            return this;
        }

        /** {@code tcpi_snd_cwnd}, segments (unsigned 32 bits). */
        public Builder cwnd(long v) {
            cwnd = nonNegative("cwnd", v);
            return this;
        }

        /**
         * {@code tcpi_bytes_sent}, {@code tcpi_bytes_received}, {@code tcpi_bytes_acked} (unsigned
         * 64 bits, kept as the bits of a {@code long}).
         */
        public Builder bytes(long sent, long received, long acked) {
            bytesSent = sent;
            bytesReceived = received;
            bytesAcked = acked;
            return this;
        }

        /** Whether the subflow is a backup path, where the kernel told. */
        public Builder backup(boolean v) {
            backup = v;
            return this;
        }

        /** {@code tcpi_state}. */
        public Builder tcpState(TcpState v) {
            tcpState = Objects.requireNonNull(v, "tcpState");
            return this;
        }

        /** The immutable subflow. */
        public SubflowInfo build() {
            return new SubflowInfo(this);
        }

        private static long nonNegative(String name, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must be >= 0 (an unsigned 32-bit tcp_info field), got " + v);
            }
            return v;
        }
    }
}
