package io.mpsec.ipsec.xfrm.wire;

import java.nio.ByteBuffer;

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

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF + key.length);
        Structs.putCString(b, 0, name, 64);
        b.putInt(64, key.length * 8);
        b.put(SIZEOF, key);
        return b.array();
    }

    public static XfrmAlgo decode(byte[] payload) {
        ByteBuffer b = Structs.wrap(payload);
        Structs.requireRemaining(b, 0, SIZEOF, "xfrm_algo");
        int bits = b.getInt(64);
        Structs.requireRemaining(b, SIZEOF, (bits + 7) / 8, "xfrm_algo key");
        byte[] key = new byte[(bits + 7) / 8];
        b.get(SIZEOF, key);
        return new XfrmAlgo(Structs.getCString(b, 0, 64), key);
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
