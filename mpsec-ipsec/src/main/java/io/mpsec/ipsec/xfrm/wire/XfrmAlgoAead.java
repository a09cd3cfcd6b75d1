package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * {@code struct xfrm_algo_aead} (72 bytes + key): an AEAD algorithm (XFRMA_ALG_AEAD). For
 * {@code rfc4106(gcm(aes))} the key is the AES key followed by the 4-byte salt, so a 128-bit AES key
 * gives {@code alg_key_len} 160. The key is secret: {@link #toString()} never prints it.
 *
 * <pre>
 * struct xfrm_algo_aead {
 *     char          alg_name[64];  //  0
 *     unsigned int  alg_key_len;   // 64  in bits
 *     unsigned int  alg_icv_len;   // 68  in bits
 *     char          alg_key[];     // 72
 * };
 * </pre>
 */
public final class XfrmAlgoAead {
    public static final int SIZEOF = 72;
    private final String name;
    private final int icvBits;
    private final byte[] key;

    public XfrmAlgoAead(String name, int icvBits, byte[] key) {
        this.name = name;
        this.icvBits = icvBits;
        this.key = key.clone();
    }

    public String name() {
        return name;
    }

    public int icvBits() {
        return icvBits;
    }

    /** A copy of the key (AES key and salt); the caller should wipe it after use. */
    public byte[] key() {
        return key.clone();
    }

    /** Overwrites this struct's copy of the key with zeros (after encoding it for the kernel). */
    public void wipe() {
        java.util.Arrays.fill(key, (byte) 0);
    }

    public byte[] toBytes() {
        return AlgoLayout.encode(SIZEOF, name, icvBits, key);
    }

    public static XfrmAlgoAead decode(byte[] payload) throws NetlinkFormatException {
        AlgoLayout.Decoded d = AlgoLayout.decode(payload, SIZEOF, "xfrm_algo_aead");
        return new XfrmAlgoAead(d.name(), d.param(), d.key());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XfrmAlgoAead && name.equals(((XfrmAlgoAead) o).name) && icvBits == ((XfrmAlgoAead) o).icvBits
                && java.security.MessageDigest.isEqual(key, ((XfrmAlgoAead) o).key);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + icvBits;
    }

    @Override
    public String toString() {
        return "xfrm_algo_aead[" + name + ", icv " + icvBits + ", key <redacted " + key.length + " bytes>]";
    }
}
