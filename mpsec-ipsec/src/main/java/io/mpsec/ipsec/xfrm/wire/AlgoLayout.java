package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * The layout shared by {@code xfrm_algo} (68-byte header), {@code xfrm_algo_auth} and
 * {@code xfrm_algo_aead} (72-byte header): {@code char alg_name[64]; unsigned int alg_key_len} (in
 * bits), for the 72-byte forms one more {@code unsigned int} at 68 (trunc_len or icv_len), then the key.
 */
final class AlgoLayout {
    static final int NAME_LEN = 64;
    static final int OFF_KEY_LEN = 64;
    static final int OFF_PARAM = 68;

    /** A decoded algorithm: name, the 68-offset parameter (0 for xfrm_algo), key bytes. */
    record Decoded(String name, int param, byte[] key) {
    }

    private AlgoLayout() {
    }

    static byte[] encode(int headerSize, String name, int param, byte[] key) {
        ByteBuffer b = Structs.allocate(headerSize + key.length);
        Structs.putCString(b, 0, name, NAME_LEN);
        b.putInt(OFF_KEY_LEN, key.length * 8);
        if (headerSize > OFF_PARAM) {
            b.putInt(OFF_PARAM, param);
        }
        b.put(headerSize, key);
        return b.array();
    }

    /**
     * Decodes the layout; {@code alg_key_len} is unsigned and checked against the bytes present
     * before anything is allocated, so a corrupt length is a format error, never a huge array.
     */
    static Decoded decode(byte[] payload, int headerSize, String struct) throws NetlinkFormatException {
        ByteBuffer b = Structs.wrap(payload);
        Structs.requireRemaining(b, 0, headerSize, struct);
        long bits = Structs.getU32(b, OFF_KEY_LEN);
        long bytes = (bits + 7) / 8;
        Structs.requireRemaining(b, headerSize, bytes, struct + " key of " + bits + " bits");
        byte[] key = new byte[(int) bytes];
        b.get(headerSize, key);
        return new Decoded(Structs.getCString(b, 0, NAME_LEN), headerSize > OFF_PARAM ? b.getInt(OFF_PARAM) : 0, key);
    }
}
