package io.mpsec.ipsec.keys;

import io.mpsec.ipsec.SecretBytes;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869), built on {@code javax.crypto.Mac}. Checked against the RFC's test
 * vectors (HkdfTest).
 *
 * <p>Every temporary copy of key material made here is wiped after use, and each {@code Mac} is
 * scrubbed (re-keyed with zeros and run over zero blocks) so that its internal pads and digest
 * buffers no longer hold the key. What remains is the {@code SecretKeySpec}'s own clone of the key,
 * which the JDK gives no way to clear; it is garbage once this returns.
 */
public final class Hkdf {
    /** Output length of SHA-256 in bytes. */
    public static final int HASH_LEN = 32;
    private static final String HMAC = "HmacSHA256";
    private static final int BLOCK = 64;

    private Hkdf() {
    }

    /** HKDF-Extract(salt, IKM) = HMAC-SHA256(salt, IKM); an empty salt means HashLen zeros. */
    public static SecretBytes extract(byte[] salt, SecretBytes ikm) {
        byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LEN] : salt;
        byte[] in = ikm.copy();
        Mac mac = mac(s);
        try {
            return SecretBytes.wrap(mac.doFinal(in));
        } finally {
            Arrays.fill(in, (byte) 0);
            scrub(mac);
        }
    }

    /** HKDF-Expand(PRK, info, L). */
    public static SecretBytes expand(SecretBytes prk, byte[] info, int length) {
        try (Expander e = new Expander(prk)) {
            return e.expand(info, length);
        }
    }

    /**
     * HKDF-Expand with one PRK for many outputs: one {@code Mac} keyed once, scrubbed on
     * {@link #close()}. Not thread-safe.
     */
    public static final class Expander implements AutoCloseable {
        private final Mac mac;

        /** Keys a {@code Mac} with {@code prk} (the caller keeps and wipes {@code prk}). */
        public Expander(SecretBytes prk) {
            byte[] key = prk.copy();
            try {
                mac = mac(key);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }

        /** HKDF-Expand(PRK, info, L). */
        public SecretBytes expand(byte[] info, int length) {
            if (length <= 0 || length > 255 * HASH_LEN) {
                throw new IllegalArgumentException("HKDF-SHA256 output length must be 1.." + 255 * HASH_LEN + ", got " + length);
            }
            byte[] out = new byte[length];
            byte[] t = new byte[0];
            try {
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
            } finally {
                Arrays.fill(t, (byte) 0);
            }
        }

        /** Scrubs the {@code Mac}: it no longer holds the PRK. */
        @Override
        public void close() {
            scrub(mac);
        }
    }

    /** Extract then expand. */
    public static SecretBytes derive(byte[] salt, SecretBytes ikm, byte[] info, int length) {
        try (SecretBytes prk = extract(salt, ikm)) {
            return expand(prk, info, length);
        }
    }

    private static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /**
     * Overwrites what a used {@code Mac} holds of its key and input: re-keying replaces the inner and
     * outer pads, and hashing two zero blocks overwrites the digests' block buffers. Best effort: it
     * relies on the JDK reusing those arrays, which its HMAC and SHA-2 implementations do.
     */
    private static void scrub(Mac mac) {
        try {
            mac.init(new SecretKeySpec(new byte[HASH_LEN], HMAC));
            mac.update(new byte[BLOCK - 1]);
            mac.doFinal(new byte[BLOCK + 1]);
        } catch (GeneralSecurityException | RuntimeException e) {
            // nothing more to do: the Mac is garbage anyway
        }
    }
}
