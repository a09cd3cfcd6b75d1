package io.mpsec.ipsec;

/** IPsec mode of an SA or template. */
public enum Mode {
    /** Transport mode: protects the payload of packets between the SA's own addresses (MPSec's default). */
    TRANSPORT(0),
    /** Tunnel mode: wraps whole packets in a new outer header between the SA addresses. */
    TUNNEL(1);

    private final int kernelValue;

    Mode(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** {@code XFRM_MODE_*} from include/uapi/linux/xfrm.h. */
    public int kernelValue() {
        return kernelValue;
    }

    public static Mode fromKernel(int v) {
        for (Mode m : values()) {
            if (m.kernelValue == v) {
                return m;
            }
        }
        throw new IllegalArgumentException("unsupported xfrm mode " + v + " (MPSec handles transport 0 and tunnel 1)");
    }
}
