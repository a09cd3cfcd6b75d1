package io.mpsec.pm;

import java.util.Locale;
import java.util.Objects;

/**
 * A TCP congestion control algorithm by its kernel name ({@code net.ipv4.tcp_congestion_control},
 * or per socket with TCP_CONGESTION). MPTCP subflows use ordinary TCP congestion control on mainline
 * kernels; the coupled MPTCP algorithms {@link #LIA}, {@link #OLIA}, {@link #BALIA} and
 * {@link #WVEGAS} exist as kernel algorithms only in the out-of-tree multipath-tcp.org kernel and are
 * accepted only where the kernel lists them in {@code tcp_available_congestion_control}; elsewhere a
 * {@link MissingKernelFeatureException} names what the kernel has.
 *
 * <p>On stock kernels (Linux 6.2+ with BTF) MPSec's own BPF versions of {@link #LIA}, {@link #OLIA},
 * {@link #BALIA} and {@link #WVEGAS} can be loaded with, for example,
 * {@code io.mpsec.kernel.bpf.CoupledCongestionControl.load(CongestionControl.OLIA)} (module
 * mpsec-kernel); their kernel names, {@code mpsec_lia}, {@code mpsec_olia}, {@code mpsec_balia} and
 * {@code mpsec_wvegas}, are then accepted by TCP_CONGESTION.
 */
public record CongestionControl(String name) {
    public static final CongestionControl RENO = new CongestionControl("reno");
    public static final CongestionControl CUBIC = new CongestionControl("cubic");
    public static final CongestionControl BBR = new CongestionControl("bbr");
    public static final CongestionControl LIA = new CongestionControl("lia");
    public static final CongestionControl OLIA = new CongestionControl("olia");
    public static final CongestionControl BALIA = new CongestionControl("balia");
    public static final CongestionControl WVEGAS = new CongestionControl("wvegas");

    public CongestionControl {
        Objects.requireNonNull(name, "name");
        name = name.toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9_]{1,15}")) {
            throw new IllegalArgumentException("invalid congestion control name '" + name
                    + "' (1-15 letters, digits or _ ; TCP_CA_NAME_MAX is 16)");
        }
    }

    /** Whether this is one of the coupled multipath-tcp.org algorithms. */
    public boolean coupled() {
        return name.equals("lia") || name.equals("olia") || name.equals("balia") || name.equals("wvegas");
    }

    @Override
    public String toString() {
        return name;
    }
}
