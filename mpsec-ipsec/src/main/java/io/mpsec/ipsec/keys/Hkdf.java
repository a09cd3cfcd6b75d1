package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA-256 (RFC 5869), built on {@code javax.crypto.Mac}. */
public final class Hkdf {
    /** Output length of SHA-256 in bytes. */
    public static final int HASH_LEN = 32;

    private Hkdf() {
    }

    /** HKDF-Extract(salt, IKM) = HMAC-SHA256(salt, IKM); an empty salt means HashLen zeros. */
    public static SecretBytes extract(byte[] salt, SecretBytes ikm) {
        byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LEN] : salt;
        byte[] in = ikm.copy();
        try {
            return SecretBytes.wrap(hmac(s, in));
        } finally {
            Arrays.fill(in, (byte) 0);
        }
    }

    /** HKDF-Expand(PRK, info, L). */
    public static SecretBytes expand(SecretBytes prk, byte[] info, int length) {
        if (length <= 0 || length > 255 * HASH_LEN) {
            throw new IllegalArgumentException("HKDF-SHA256 output length must be 1.." + 255 * HASH_LEN + ", got " + length);
        }
        byte[] key = prk.copy();
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            int pos = 0;
            for (int i = 1; pos < length; i++) {
                mac.update(t);
                mac.update(info == null ? new byte[0] : info);
                mac.update((byte) i);
                Arrays.fill(t, (byte) 0);
                t = mac.doFinal();
                int n = Math.min(t.length, length - pos);
                System.arraycopy(t, 0, out, pos, n);
                pos += n;
            }
            return SecretBytes.wrap(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        } finally {
            Arrays.fill(key, (byte) 0);
            Arrays.fill(t, (byte) 0);
        }
    }

    /** Extract then expand. */
    public static SecretBytes derive(byte[] salt, SecretBytes ikm, byte[] info, int length) {
        try (SecretBytes prk = extract(salt, ikm)) {
            return expand(prk, info, length);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
