package io.mpsec.ipsec;

/** Direction of a security policy. */
public enum Direction {
    /** Packets delivered to this host. */
    IN(0),
    /** Packets sent by this host. */
    OUT(1),
    /** Packets forwarded through this host (needed on gateways in tunnel mode). */
    FWD(2);

    private final int kernelValue;

    Direction(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    /** {@code XFRM_POLICY_IN/OUT/FWD} from include/uapi/linux/xfrm.h. */
    public int kernelValue() {
        return kernelValue;
    }

    public static Direction fromKernel(int v) {
        for (Direction d : values()) {
            if (d.kernelValue == v) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown xfrm policy direction " + v);
    }
}
