package io.mpsec.ipsec.xfrm.wire;

import java.nio.ByteBuffer;

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

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF + key.length);
        Structs.putCString(b, 0, name, 64);
        b.putInt(64, key.length * 8);
        b.putInt(68, icvBits);
        b.put(SIZEOF, key);
        return b.array();
    }

    public static XfrmAlgoAead decode(byte[] payload) {
        ByteBuffer b = Structs.wrap(payload);
        Structs.requireRemaining(b, 0, SIZEOF, "xfrm_algo_aead");
        int bits = b.getInt(64);
        Structs.requireRemaining(b, SIZEOF, (bits + 7) / 8, "xfrm_algo_aead key");
        byte[] key = new byte[(bits + 7) / 8];
        b.get(SIZEOF, key);
        return new XfrmAlgoAead(Structs.getCString(b, 0, 64), b.getInt(68), key);
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
