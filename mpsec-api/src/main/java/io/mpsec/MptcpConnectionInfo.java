package io.mpsec;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A snapshot of the kernel's {@code struct mptcp_info} for one MPTCP connection
 * ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)} since Linux 5.16, and sock_diag's INET_DIAG_INFO of an
 * MPTCP socket; include/uapi/linux/mptcp.h).
 *
 * <p>The kernel struct grows: it is 40 bytes on Linux 5.9, 48 on 5.12 (local address fields; the
 * checksum flag in 5.14 fills a byte of padding), 80 on 6.5 (MPTCP-level retransmission and byte
 * counters), 88 on 6.8 (subflows_total) and 96 on 6.10 (last-activity times). The kernel tells the
 * caller how many bytes it wrote, so a value of a newer layout is reported only when the running
 * kernel returned it; otherwise its accessor returns an empty {@code Optional}. {@link #structSize()}
 * tells which layout was decoded. (Versions: mptcp.dev "MPTCP info (Devs)", which groups the
 * fields by the version that added them, and the iproute2 copies of the uapi header, synced in
 * 2021-02 for 5.12, 2021-06 for 5.14, 2023-08 for 6.5, 2023-12 for 6.8 and 2024-04 for 6.10.)
 *
 * <p>Linux 6.18 put {@code mptcpi_endp_laminar_max} (and 6.19 {@code mptcpi_endp_fullmesh_max})
 * into bytes 81-82, which older kernels return as zero padding in a struct of the same length; so
 * their absence cannot be told from a zero, and this class does not report them yet.
 *
 * <p>None of these fields is key material: the MPTCP keys never leave the kernel through this
 * interface. {@link #token()} is a 32-bit hash of the local key that the peer also sees in MP_JOIN;
 * it identifies the connection in path-manager events. {@link #toString()} leaves out the data
 * sequence numbers (which start from a key-derived initial value) and prints the rest.
 *
 * <p>The kernel's unsigned 64-bit fields are returned as the bits of a {@code long} (negative only
 * past 2<sup>63</sup>; {@link Long#toUnsignedString(long)} prints them). Instances are immutable;
 * the kernel implementation builds them with {@link #builder()}.
 */
public final class MptcpConnectionInfo {
    /** MPTCP_INFO_FLAG_FALLBACK (uapi linux/mptcp.h): the connection fell back to plain TCP. */
    public static final int FLAG_FALLBACK = 1;
    /** MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED (uapi linux/mptcp.h): the peer's key has been received. */
    public static final int FLAG_REMOTE_KEY_RECEIVED = 2;

    private static final int ABSENT = -1;

    private final int subflows;
    private final int addAddrSignal;
    private final int addAddrAccepted;
    private final int subflowsMax;
    private final int addAddrSignalMax;
    private final int addAddrAcceptedMax;
    private final int flags;
    private final long token;
    private final long writeSeq;
    private final long sndUna;
    private final long rcvNxt;
    private final int localAddrUsed;
    private final int localAddrMax;
    private final Boolean checksumEnabled;
    private final boolean hasCounters;
    private final long retransmits;
    private final long bytesRetrans;
    private final long bytesSent;
    private final long bytesReceived;
    private final long bytesAcked;
    private final int subflowsTotal;
    private final long lastDataSentMillis;
    private final long lastDataRecvMillis;
    private final long lastAckRecvMillis;
    private final int structSize;

    private MptcpConnectionInfo(Builder b) {
        subflows = b.subflows;
        addAddrSignal = b.addAddrSignal;
        addAddrAccepted = b.addAddrAccepted;
        subflowsMax = b.subflowsMax;
        addAddrSignalMax = b.addAddrSignalMax;
        addAddrAcceptedMax = b.addAddrAcceptedMax;
        flags = b.flags;
        token = b.token;
        writeSeq = b.writeSeq;
        sndUna = b.sndUna;
        rcvNxt = b.rcvNxt;
        localAddrUsed = b.localAddrUsed;
        localAddrMax = b.localAddrMax;
        checksumEnabled = b.checksumEnabled;
        hasCounters = b.hasCounters;
        retransmits = b.retransmits;
        bytesRetrans = b.bytesRetrans;
        bytesSent = b.bytesSent;
        bytesReceived = b.bytesReceived;
        bytesAcked = b.bytesAcked;
        subflowsTotal = b.subflowsTotal;
        lastDataSentMillis = b.lastDataSentMillis;
        lastDataRecvMillis = b.lastDataRecvMillis;
        lastAckRecvMillis = b.lastAckRecvMillis;
        structSize = b.structSize;
    }

    /** A builder with every field unset: counters 0, the fields of newer kernels not reported. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Additional subflows ({@code mptcpi_subflows}, Linux 5.9+, always reported): subflows joined
     * after the initial one, which this count leaves out. See {@link #pathsInUse()}.
     */
    public int subflows() {
        return subflows;
    }

    /** ADD_ADDRs this end has sent ({@code mptcpi_add_addr_signal}, Linux 5.9+, always reported). */
    public int addAddrSignal() {
        return addAddrSignal;
    }

    /** ADD_ADDRs from the peer this end accepted ({@code mptcpi_add_addr_accepted}, 5.9+, always reported). */
    public int addAddrAccepted() {
        return addAddrAccepted;
    }

    /** The path manager's limit of additional subflows ({@code mptcpi_subflows_max}, 5.9+, always reported). */
    public int subflowsMax() {
        return subflowsMax;
    }

    /** Signal endpoints the path manager announces at most ({@code mptcpi_add_addr_signal_max}, 5.9+, always reported). */
    public int addAddrSignalMax() {
        return addAddrSignalMax;
    }

    /** The limit of accepted ADD_ADDRs ({@code mptcpi_add_addr_accepted_max}, 5.9+, always reported). */
    public int addAddrAcceptedMax() {
        return addAddrAcceptedMax;
    }

    /**
     * The {@code MPTCP_INFO_FLAG_*} bits ({@code mptcpi_flags}, 5.9+, always reported); see
     * {@link #fallback()} and {@link #remoteKeyReceived()}. Unknown bits of newer kernels are kept.
     */
    public int flags() {
        return flags;
    }

    /** Whether the kernel marked the connection as fallen back to plain TCP (MPTCP_INFO_FLAG_FALLBACK). */
    public boolean fallback() {
        return (flags & FLAG_FALLBACK) != 0;
    }

    /** Whether the peer's key has been received (MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED); not the key itself. */
    public boolean remoteKeyReceived() {
        return (flags & FLAG_REMOTE_KEY_RECEIVED) != 0;
    }

    /**
     * The connection's local token ({@code mptcpi_token}, unsigned 32 bits, 5.9+, always reported),
     * which path-manager events carry to name this connection; 0 before the handshake chose one.
     */
    public long token() {
        return token;
    }

    /** The next data sequence number to write ({@code mptcpi_write_seq}, 5.9+, always reported). */
    public long writeSeq() {
        return writeSeq;
    }

    /** The oldest unacknowledged data sequence number ({@code mptcpi_snd_una}, 5.9+, always reported). */
    public long sndUna() {
        return sndUna;
    }

    /** The next expected data sequence number ({@code mptcpi_rcv_nxt}, 5.9+, always reported). */
    public long rcvNxt() {
        return rcvNxt;
    }

    /**
     * Local addresses in use by the in-kernel path manager ({@code mptcpi_local_addr_used}, Linux
     * 5.12+); empty on older kernels.
     */
    public OptionalInt localAddrUsed() {
        return optional(localAddrUsed);
    }

    /**
     * The in-kernel path manager's limit of local (subflow) endpoints ({@code mptcpi_local_addr_max},
     * Linux 5.12+); empty on older kernels.
     */
    public OptionalInt localAddrMax() {
        return optional(localAddrMax);
    }

    /**
     * Whether DSS checksums are in use ({@code mptcpi_csum_enabled}, Linux 5.14+); empty when the
     * kernel returned fewer than 43 bytes. Linux 5.12 and 5.13 return this byte as zero padding, which
     * reads {@code false}: those kernels have no checksum support.
     */
    public Optional<Boolean> checksumEnabled() {
        return Optional.ofNullable(checksumEnabled);
    }

    /** MPTCP-level retransmissions ({@code mptcpi_retransmits}, Linux 6.5+); empty on older kernels. */
    public OptionalLong retransmits() {
        return counter(retransmits);
    }

    /** Bytes retransmitted at the MPTCP level ({@code mptcpi_bytes_retrans}, Linux 6.5+); empty on older kernels. */
    public OptionalLong bytesRetrans() {
        return counter(bytesRetrans);
    }

    /** Data bytes sent, retransmissions excluded ({@code mptcpi_bytes_sent}, Linux 6.5+); empty on older kernels. */
    public OptionalLong bytesSent() {
        return counter(bytesSent);
    }

    /** Data bytes received ({@code mptcpi_bytes_received}, Linux 6.5+); empty on older kernels. */
    public OptionalLong bytesReceived() {
        return counter(bytesReceived);
    }

    /** Data bytes the peer acknowledged ({@code mptcpi_bytes_acked}, Linux 6.5+); empty on older kernels. */
    public OptionalLong bytesAcked() {
        return counter(bytesAcked);
    }

    /**
     * All subflows, the initial one included while it is still attached ({@code mptcpi_subflows_total},
     * Linux 6.8+); empty on older kernels. See {@link #pathsInUse()}.
     */
    public OptionalInt subflowsTotal() {
        return optional(subflowsTotal);
    }

    /** Milliseconds since data was last sent ({@code mptcpi_last_data_sent}, Linux 6.10+); empty on older kernels. */
    public OptionalLong lastDataSentMillis() {
        return optional(lastDataSentMillis);
    }

    /** Milliseconds since data was last received ({@code mptcpi_last_data_recv}, Linux 6.10+); empty on older kernels. */
    public OptionalLong lastDataRecvMillis() {
        return optional(lastDataRecvMillis);
    }

    /** Milliseconds since an acknowledgement was last received ({@code mptcpi_last_ack_recv}, Linux 6.10+); empty on older kernels. */
    public OptionalLong lastAckRecvMillis() {
        return optional(lastAckRecvMillis);
    }

    /**
     * The number of bytes of {@code struct mptcp_info} the kernel returned (40, 48, 80, 88, 96 or more
     * on a newer kernel), which tells the layout decoded; 0 for an info not decoded from kernel bytes.
     */
    public int structSize() {
        return structSize;
    }

    /**
     * Paths (subflows) in use, the initial one included: {@link #subflowsTotal()} where the kernel
     * reports it (6.8+); on older kernels estimated as {@code subflows() + 1}, because
     * {@code mptcpi_subflows} leaves out the initial subflow (the estimate is one too high once the
     * initial subflow has closed).
     */
    public int pathsInUse() {
        return subflowsTotal >= 0 ? subflowsTotal : subflows + 1;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MptcpConnectionInfo)) {
            return false;
        }
        MptcpConnectionInfo x = (MptcpConnectionInfo) o;
        return subflows == x.subflows && addAddrSignal == x.addAddrSignal && addAddrAccepted == x.addAddrAccepted
                && subflowsMax == x.subflowsMax && addAddrSignalMax == x.addAddrSignalMax
                && addAddrAcceptedMax == x.addAddrAcceptedMax && flags == x.flags && token == x.token
                && writeSeq == x.writeSeq && sndUna == x.sndUna && rcvNxt == x.rcvNxt
                && localAddrUsed == x.localAddrUsed && localAddrMax == x.localAddrMax
                && Objects.equals(checksumEnabled, x.checksumEnabled) && hasCounters == x.hasCounters
                && retransmits == x.retransmits
                && bytesRetrans == x.bytesRetrans && bytesSent == x.bytesSent && bytesReceived == x.bytesReceived
                && bytesAcked == x.bytesAcked && subflowsTotal == x.subflowsTotal
                && lastDataSentMillis == x.lastDataSentMillis && lastDataRecvMillis == x.lastDataRecvMillis
                && lastAckRecvMillis == x.lastAckRecvMillis && structSize == x.structSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(subflows, addAddrSignal, addAddrAccepted, subflowsMax, addAddrSignalMax, addAddrAcceptedMax,
                flags, token, writeSeq, sndUna, rcvNxt, localAddrUsed, localAddrMax, checksumEnabled, hasCounters, retransmits,
                bytesRetrans, bytesSent, bytesReceived, bytesAcked, subflowsTotal, lastDataSentMillis,
                lastDataRecvMillis, lastAckRecvMillis, structSize);
    }

    /**
     * The token in hex, the counts, limits, flags and the counters the kernel reported (absent ones
     * left out); not the data sequence numbers.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MptcpConnectionInfo{token=").append(String.format("%08x", token))
                .append(", pathsInUse=").append(pathsInUse())
                .append(", subflows=").append(subflows);
        field(s, "subflowsTotal", subflowsTotal);
        s.append(", addAddrSignal=").append(addAddrSignal).append(", addAddrAccepted=").append(addAddrAccepted)
                .append(", subflowsMax=").append(subflowsMax).append(", addAddrSignalMax=").append(addAddrSignalMax)
                .append(", addAddrAcceptedMax=").append(addAddrAcceptedMax)
                .append(", flags=0x").append(Integer.toHexString(flags));
        if (fallback()) {
            s.append(" (fallback)");
        }
        field(s, "localAddrUsed", localAddrUsed);
        field(s, "localAddrMax", localAddrMax);
        if (checksumEnabled != null) {
            s.append(", checksumEnabled=").append(checksumEnabled);
        }
        if (hasCounters) {
            s.append(", retransmits=").append(retransmits)
                    .append(", bytesRetrans=").append(Long.toUnsignedString(bytesRetrans))
                    .append(", bytesSent=").append(Long.toUnsignedString(bytesSent))
                    .append(", bytesReceived=").append(Long.toUnsignedString(bytesReceived))
                    .append(", bytesAcked=").append(Long.toUnsignedString(bytesAcked));
        }
        field(s, "lastDataSentMillis", lastDataSentMillis);
        field(s, "lastDataRecvMillis", lastDataRecvMillis);
        field(s, "lastAckRecvMillis", lastAckRecvMillis);
        return s.append(", structSize=").append(structSize).append('}').toString();
    }

    private static void field(StringBuilder s, String name, long v) {
        if (v != ABSENT) {
            s.append(", ").append(name).append('=').append(v);
        }
    }

    private static OptionalInt optional(int v) {
        return v == ABSENT ? OptionalInt.empty() : OptionalInt.of(v);
    }

    private OptionalLong counter(long v) {
        return hasCounters ? OptionalLong.of(v) : OptionalLong.empty();
    }

    private static OptionalLong optional(long v) {
        return v == ABSENT ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /**
     * Builds an {@link MptcpConnectionInfo}; the MPTCP implementation (mpsec-kernel) uses it to
     * decode the kernel's struct, tests to make one. A field of a newer kernel left unset is reported
     * as absent. Every setter checks the range of the kernel field ({@code __u8} 0..255,
     * {@code __u32} 0..4294967295) and throws {@link IllegalArgumentException} naming the field.
     */
    public static final class Builder {
        private int subflows;
        private int addAddrSignal;
        private int addAddrAccepted;
        private int subflowsMax;
        private int addAddrSignalMax;
        private int addAddrAcceptedMax;
        private int flags;
        private long token;
        private long writeSeq;
        private long sndUna;
        private long rcvNxt;
        private int localAddrUsed = ABSENT;
        private int localAddrMax = ABSENT;
        private Boolean checksumEnabled;
        private boolean hasCounters;
        private long retransmits;
        private long bytesRetrans;
        private long bytesSent;
        private long bytesReceived;
        private long bytesAcked;
        private int subflowsTotal = ABSENT;
        private long lastDataSentMillis = ABSENT;
        private long lastDataRecvMillis = ABSENT;
        private long lastAckRecvMillis = ABSENT;
        private int structSize;

        private Builder() {
        }

        /** {@code mptcpi_subflows}. */
        public Builder subflows(int v) {
            subflows = u8("subflows", v);
            return this;
        }

        /** {@code mptcpi_add_addr_signal}. */
        public Builder addAddrSignal(int v) {
            addAddrSignal = u8("addAddrSignal", v);
            return this;
        }

        /** {@code mptcpi_add_addr_accepted}. */
        public Builder addAddrAccepted(int v) {
            addAddrAccepted = u8("addAddrAccepted", v);
            return this;
        }

        /** {@code mptcpi_subflows_max}. */
        public Builder subflowsMax(int v) {
            subflowsMax = u8("subflowsMax", v);
            return this;
        }

        /** {@code mptcpi_add_addr_signal_max}. */
        public Builder addAddrSignalMax(int v) {
            addAddrSignalMax = u8("addAddrSignalMax", v);
            return this;
        }

        /** {@code mptcpi_add_addr_accepted_max}. */
        public Builder addAddrAcceptedMax(int v) {
            addAddrAcceptedMax = u8("addAddrAcceptedMax", v);
            return this;
        }

        /** {@code mptcpi_flags} (all 32 bits, unknown ones kept). */
        public Builder flags(int v) {
            flags = v;
            return this;
        }

        /** {@code mptcpi_token}, unsigned. */
        public Builder token(long v) {
            token = u32("token", v);
            return this;
        }

        /** {@code mptcpi_write_seq}, {@code mptcpi_snd_una} and {@code mptcpi_rcv_nxt} (all 64 bits). */
        public Builder sequenceNumbers(long writeSeq, long sndUna, long rcvNxt) {
            this.writeSeq = writeSeq;
            this.sndUna = sndUna;
            this.rcvNxt = rcvNxt;
            return this;
        }

        /** {@code mptcpi_local_addr_used} and {@code mptcpi_local_addr_max} (5.12+). */
        public Builder localAddrs(int used, int max) {
            localAddrUsed = u8("localAddrUsed", used);
            localAddrMax = u8("localAddrMax", max);
            return this;
        }

        /** {@code mptcpi_csum_enabled} (5.14+). */
        public Builder checksumEnabled(boolean v) {
            checksumEnabled = v;
            return this;
        }

        /**
         * The MPTCP-level counters of Linux 6.5: {@code mptcpi_retransmits} (unsigned 32 bits),
         * {@code mptcpi_bytes_retrans}, {@code mptcpi_bytes_sent}, {@code mptcpi_bytes_received},
         * {@code mptcpi_bytes_acked} (unsigned 64 bits, kept as the bits of a {@code long}).
         */
        public Builder counters(long retransmits, long bytesRetrans, long bytesSent, long bytesReceived, long bytesAcked) {
            this.retransmits = u32("retransmits", retransmits);
            this.bytesRetrans = bytesRetrans;
            this.bytesSent = bytesSent;
            this.bytesReceived = bytesReceived;
            this.bytesAcked = bytesAcked;
            hasCounters = true;
            return this;
        }

        /** {@code mptcpi_subflows_total} (6.8+). */
        public Builder subflowsTotal(int v) {
            subflowsTotal = u8("subflowsTotal", v);
            return this;
        }

        /**
         * {@code mptcpi_last_data_sent}, {@code mptcpi_last_data_recv}, {@code mptcpi_last_ack_recv}
         * (6.10+), milliseconds, unsigned 32 bits.
         */
        public Builder lastActivityMillis(long dataSent, long dataRecv, long ackRecv) {
            lastDataSentMillis = u32("lastDataSentMillis", dataSent);
            lastDataRecvMillis = u32("lastDataRecvMillis", dataRecv);
            lastAckRecvMillis = u32("lastAckRecvMillis", ackRecv);
            return this;
        }

        /** The number of bytes the kernel returned. */
        public Builder structSize(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("structSize must be >= 0 (the bytes the kernel returned), got " + v);
            }
            structSize = v;
            return this;
        }

        /** The immutable info. */
        public MptcpConnectionInfo build() {
            return new MptcpConnectionInfo(this);
        }

        private static int u8(String name, int v) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException(name + " is an unsigned 8-bit kernel field (0..255), got " + v);
            }
            return v;
        }

        private static long u32(String name, long v) {
            if (v < 0 || v > 0xffff_ffffL) {
                throw new IllegalArgumentException(name + " is an unsigned 32-bit kernel field (0..4294967295), got " + v);
            }
            return v;
        }
    }
}
