package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * {@code struct xfrm_algo} (68 bytes + key): an encryption algorithm (XFRMA_ALG_CRYPT).
 * The key is secret: {@link #toString()} never prints it.
 *
 * <pre>
 * struct xfrm_algo {
 *     char          alg_name[64];  //  0
 *     unsigned int  alg_key_len;   // 64  in bits
 *     char          alg_key[];     // 68
 * };
 * </pre>
 */
public final class XfrmAlgo {
    public static final int SIZEOF = 68;
    private final String name;
    private final byte[] key;

    public XfrmAlgo(String name, byte[] key) {
        this.name = name;
        this.key = key.clone();
    }

    public String name() {
        return name;
    }

    /** A copy of the key; the caller should wipe it after use. */
    public byte[] key() {
        return key.clone();
    }

    /** Overwrites this struct's copy of the key with zeros (after encoding it for the kernel). */
    public void wipe() {
        java.util.Arrays.fill(key, (byte) 0);
    }

    public byte[] toBytes() {
        return AlgoLayout.encode(SIZEOF, name, 0, key);
    }

    public static XfrmAlgo decode(byte[] payload) throws NetlinkFormatException {
        AlgoLayout.Decoded d = AlgoLayout.decode(payload, SIZEOF, "xfrm_algo");
        return new XfrmAlgo(d.name(), d.key());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XfrmAlgo && name.equals(((XfrmAlgo) o).name)
                && java.security.MessageDigest.isEqual(key, ((XfrmAlgo) o).key);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "xfrm_algo[" + name + ", key <redacted " + key.length + " bytes>]";
    }
}
