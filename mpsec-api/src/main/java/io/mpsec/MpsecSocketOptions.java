package io.mpsec;

import java.net.SocketOption;

/**
 * Socket options specific to MPSec sockets, in the style of {@code jdk.net.ExtendedSocketOptions}.
 * Set them with {@link java.net.Socket#setOption} / {@link java.net.ServerSocket#setOption}; the
 * standard {@link java.net.StandardSocketOptions} work as on any JDK socket.
 *
 * <p>The Linux options of {@code jdk.net.ExtendedSocketOptions} work as on a JDK socket too, with the
 * same value ranges and exception types: {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL},
 * {@code TCP_KEEPCOUNT} (set on a listener, they are inherited by accepted sockets) and the read-only
 * {@code SO_INCOMING_NAPI_ID}. {@code TCP_QUICKACK} is the exception: Linux rejects it on MPTCP
 * sockets, so it is offered (and listed by {@code supportedOptions()}) only by sockets that are plain
 * TCP because MPTCP was unavailable; elsewhere it throws {@link UnsupportedOperationException}.
 */
public final class MpsecSocketOptions {
    private MpsecSocketOptions() {
    }

    /**
     * What happens when MPTCP cannot be used: {@link FallbackPolicy#ALLOW_TCP} (default) or
     * {@link FallbackPolicy#REQUIRE_MPTCP}.
     *
     * <p>Type {@link FallbackPolicy}; readable and writable; must be set before {@code connect}
     * (client) or {@code accept} (server) to take effect. Not a kernel option: it is enforced by
     * MPSec after the connection is established.
     *
     * @since 0.1
     */
    public static final SocketOption<FallbackPolicy> FALLBACK_POLICY =
            new MpsecOption<>("MPSEC_FALLBACK_POLICY", FallbackPolicy.class);

    /**
     * The TCP congestion control algorithm of this socket and its subflows ({@code TCP_CONGESTION},
     * see tcp(7)), for example {@code "cubic"} or {@code "bbr"}.
     *
     * <p>Type {@link String}; readable and writable. Setting a name the kernel does not offer fails
     * with a {@link java.net.SocketException} that lists the kernel's available algorithms
     * ({@code /proc/sys/net/ipv4/tcp_available_congestion_control}). MPSec's coupled BPF algorithms
     * ({@code mpsec_lia}, {@code mpsec_olia}, {@code mpsec_balia}, {@code mpsec_wvegas}) are accepted once loaded with
     * {@code io.mpsec.kernel.bpf.CoupledCongestionControl}.
     *
     * @since 0.1
     */
    public static final SocketOption<String> TCP_CONGESTION = new MpsecOption<>("TCP_CONGESTION", String.class);

    /**
     * Whether the connection currently runs MPTCP ({@code TCP_IS_MPTCP} on Linux 6.10+, otherwise
     * derived from {@code SO_PROTOCOL} and {@code MPTCP_INFO}). {@code false} for a connection that
     * fell back to TCP.
     *
     * <p>Type {@link Boolean}; read-only. Same as {@link MpsecSocket#isMultipath()}.
     *
     * @since 0.1
     */
    public static final SocketOption<Boolean> TCP_IS_MPTCP = new MpsecOption<>("TCP_IS_MPTCP", Boolean.class);

    private static final class MpsecOption<T> implements SocketOption<T> {
        private final String name;
        private final Class<T> type;

        MpsecOption(String name, Class<T> type) {
            this.name = name;
            this.type = type;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<T> type() {
            return type;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
