package io.mpsec.ipsec;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An ESP security association: one direction of protected traffic from {@link #source()} to
 * {@link #destination()}, identified by its {@link #spi()}. Immutable; build it with {@link #builder()},
 * which validates everything before anything reaches the kernel. Keys never appear in
 * {@link #toString()}.
 *
 * <pre>{@code
 * SecurityAssociation sa = SecurityAssociation.builder()
 *         .source(a).destination(b).spi(0x1001).reqid(7)
 *         .algorithm(SaAlgorithm.aesGcm(keyAndSalt))   // ESN with a 128-packet window by default
 *         .build();
 * }</pre>
 */
public final class SecurityAssociation {
    /** SPIs 1-255 are reserved by IANA (RFC 4303 section 2.1); 0 means "no SA". */
    public static final long MIN_SPI = 256;
    /** Default replay window in packets. */
    public static final int DEFAULT_REPLAY_WINDOW = 128;

    private final InetAddress source;
    private final InetAddress destination;
    private final long spi;
    private final long reqid;
    private final Mode mode;
    private final SaAlgorithm algorithm;
    private final boolean esn;
    private final int replayWindow;
    private final Lifetime lifetime;
    private final Selector selector;

    private SecurityAssociation(Builder b) {
        this.source = b.source;
        this.destination = b.destination;
        this.spi = b.spi;
        this.reqid = b.reqid;
        this.mode = b.mode;
        this.algorithm = b.algorithm;
        this.esn = b.esn;
        this.replayWindow = b.replayWindow;
        this.lifetime = b.lifetime;
        this.selector = b.selector;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this SA's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.destination = destination;
        b.spi = spi;
        b.reqid = reqid;
        b.mode = mode;
        b.algorithm = algorithm;
        b.esn = esn;
        b.replayWindow = replayWindow;
        b.lifetime = lifetime;
        b.selector = selector;
        return b;
    }

    public InetAddress source() {
        return source;
    }

    public InetAddress destination() {
        return destination;
    }

    /** The SPI, an unsigned 32-bit value. */
    public long spi() {
        return spi;
    }

    public long reqid() {
        return reqid;
    }

    public Mode mode() {
        return mode;
    }

    public SaAlgorithm algorithm() {
        return algorithm;
    }

    /** Whether extended (64-bit) sequence numbers are on. */
    public boolean esn() {
        return esn;
    }

    /** Replay window in packets (0 = no replay protection, only allowed without ESN). */
    public int replayWindow() {
        return replayWindow;
    }

    public Lifetime lifetime() {
        return lifetime;
    }

    /** The traffic selector, or {@code null} for none (any traffic between the SA addresses). */
    public Selector selector() {
        return selector;
    }

    /** Whether this is an IPv6 SA. */
    public boolean isIpv6() {
        return source.getAddress().length == 16;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SecurityAssociation)) {
            return false;
        }
        SecurityAssociation s = (SecurityAssociation) o;
        return source.equals(s.source) && destination.equals(s.destination) && spi == s.spi && reqid == s.reqid
                && mode == s.mode && algorithm.equals(s.algorithm) && esn == s.esn && replayWindow == s.replayWindow
                && lifetime.equals(s.lifetime) && Objects.equals(selector, s.selector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, destination, spi);
    }

    @Override
    public String toString() {
        return "SecurityAssociation[" + source.getHostAddress() + " -> " + destination.getHostAddress() + " esp spi 0x"
                + String.format("%08x", spi) + " reqid " + reqid + " " + mode + " " + algorithm + (esn ? " esn" : "")
                + " replay-window " + replayWindow + " " + lifetime + (selector == null ? "" : " sel " + selector) + "]";
    }

    /** Builds and validates a {@link SecurityAssociation}. */
    public static final class Builder {
        private InetAddress source;
        private InetAddress destination;
        private long spi;
        private long reqid;
        private Mode mode = Mode.TRANSPORT;
        private SaAlgorithm algorithm;
        private boolean esn = true;
        private int replayWindow = DEFAULT_REPLAY_WINDOW;
        private Lifetime lifetime = Lifetime.UNLIMITED;
        private Selector selector;
        private boolean checkAlgorithm = true;

        private Builder() {
        }

        public Builder source(InetAddress v) {
            source = v;
            return this;
        }

        public Builder destination(InetAddress v) {
            destination = v;
            return this;
        }

        /** The SPI: an unsigned 32-bit value of at least 256 (0 is invalid, 1-255 are reserved). */
        public Builder spi(long v) {
            spi = v;
            return this;
        }

        public Builder reqid(long v) {
            reqid = v;
            return this;
        }

        public Builder mode(Mode v) {
            mode = v;
            return this;
        }

        public Builder algorithm(SaAlgorithm v) {
            algorithm = v;
            return this;
        }

        /** Extended sequence numbers (default on); needs a replay window greater than 0. */
        public Builder esn(boolean v) {
            esn = v;
            return this;
        }

        public Builder replayWindow(int v) {
            replayWindow = v;
            return this;
        }

        public Builder lifetime(Lifetime v) {
            lifetime = v;
            return this;
        }

        public Builder selector(Selector v) {
            selector = v;
            return this;
        }

        /**
         * Accepts algorithm names MPSec does not know (used when reading SAs the kernel reports that
         * other tools installed). Everything else is still checked.
         */
        public Builder acceptUnknownAlgorithms() {
            checkAlgorithm = false;
            return this;
        }

        /** Validates and builds; throws {@link IpsecConfigException} naming the problem. */
        public SecurityAssociation build() {
            if (source == null || destination == null) {
                throw new IpsecConfigException("an SA needs a source and a destination address");
            }
            if (source.getClass() != destination.getClass()) {
                throw new IpsecConfigException("SA addresses mix IPv4 and IPv6: " + source.getHostAddress() + " -> "
                        + destination.getHostAddress() + "; both ends of an SA must have the same family");
            }
            if (spi == 0) {
                throw new IpsecConfigException("SPI 0 is invalid (it means 'no SA' in ESP, RFC 4303); choose an SPI >= 0x100");
            }
            if (spi < 0 || spi > 0xffffffffL) {
                throw new IpsecConfigException("SPI must be an unsigned 32-bit value, got " + spi);
            }
            if (spi < MIN_SPI) {
                throw new IpsecConfigException("SPI " + spi + " is in the range 1-255 reserved by IANA (RFC 4303); choose an SPI >= 0x100");
            }
            if (reqid < 0 || reqid > 0xffffffffL) {
                throw new IpsecConfigException("reqid must be an unsigned 32-bit value, got " + reqid);
            }
            if (mode == null) {
                throw new IpsecConfigException("SA mode must be TRANSPORT or TUNNEL, not null");
            }
            if (algorithm == null) {
                throw new IpsecConfigException("an ESP SA needs an algorithm, e.g. SaAlgorithm.aesGcm(key) (rfc4106(gcm(aes)))");
            }
            if (checkAlgorithm) {
                algorithm.validate();
            }
            if (replayWindow < 0 || replayWindow > io.mpsec.ipsec.xfrm.wire.Xfrm.XFRMA_REPLAY_ESN_MAX) {
                throw new IpsecConfigException("replay window must be 0.." + io.mpsec.ipsec.xfrm.wire.Xfrm.XFRMA_REPLAY_ESN_MAX
                        + " packets, got " + replayWindow);
            }
            if (esn && replayWindow == 0) {
                throw new IpsecConfigException("ESN needs a replay window > 0 (the kernel rejects ESN without one); "
                        + "set replayWindow(" + DEFAULT_REPLAY_WINDOW + ") or turn ESN off");
            }
            if (lifetime == null) {
                throw new IpsecConfigException("lifetime must not be null; use Lifetime.UNLIMITED for none");
            }
            if (selector != null && selector.source().getClass() != source.getClass()) {
                throw new IpsecConfigException("SA selector family differs from the SA addresses");
            }
            return new SecurityAssociation(this);
        }
    }
}
