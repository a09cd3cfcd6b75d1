package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * {@code struct xfrm_algo_auth} (72 bytes + key): an integrity algorithm with its truncation length
 * (XFRMA_ALG_AUTH_TRUNC). The key is secret: {@link #toString()} never prints it.
 *
 * <pre>
 * struct xfrm_algo_auth {
 *     char          alg_name[64];   //  0
 *     unsigned int  alg_key_len;    // 64  in bits
 *     unsigned int  alg_trunc_len;  // 68  in bits
 *     char          alg_key[];      // 72
 * };
 * </pre>
 */
public final class XfrmAlgoAuth {
    public static final int SIZEOF = 72;
    private final String name;
    private final int truncBits;
    private final byte[] key;

    public XfrmAlgoAuth(String name, int truncBits, byte[] key) {
        this.name = name;
        this.truncBits = truncBits;
        this.key = key.clone();
    }

    public String name() {
        return name;
    }

    public int truncBits() {
        return truncBits;
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
        return AlgoLayout.encode(SIZEOF, name, truncBits, key);
    }

    public static XfrmAlgoAuth decode(byte[] payload) throws NetlinkFormatException {
        AlgoLayout.Decoded d = AlgoLayout.decode(payload, SIZEOF, "xfrm_algo_auth");
        return new XfrmAlgoAuth(d.name(), d.param(), d.key());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XfrmAlgoAuth && name.equals(((XfrmAlgoAuth) o).name) && truncBits == ((XfrmAlgoAuth) o).truncBits
                && java.security.MessageDigest.isEqual(key, ((XfrmAlgoAuth) o).key);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + truncBits;
    }

    @Override
    public String toString() {
        return "xfrm_algo_auth[" + name + ", trunc " + truncBits + ", key <redacted " + key.length + " bytes>]";
    }
}
