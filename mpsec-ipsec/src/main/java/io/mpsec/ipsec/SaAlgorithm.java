package io.mpsec.ipsec;

/**
 * The cryptographic transform of an ESP SA: either an AEAD ({@link Aead}, MPSec's default
 * {@code rfc4106(gcm(aes))}) or a cipher plus an integrity algorithm ({@link CipherAuth},
 * {@code cbc(aes)} + {@code hmac(sha256)}). Keys are {@link SecretBytes} and never printed.
 */
public sealed interface SaAlgorithm permits SaAlgorithm.Aead, SaAlgorithm.CipherAuth {
    /** Linux crypto API name of AES-GCM for ESP (RFC 4106). */
    String RFC4106_GCM_AES = "rfc4106(gcm(aes))";
    /** Linux crypto API name of AES-CBC. */
    String CBC_AES = "cbc(aes)";
    /** Linux crypto API name of HMAC-SHA-256. */
    String HMAC_SHA256 = "hmac(sha256)";
    /** RFC 4106 salt length in bytes, appended to the AES key. */
    int GCM_SALT_BYTES = 4;

    /** Checks the algorithm against what MPSec supports; throws {@link IpsecConfigException} otherwise. */
    void validate();

    /**
     * AES-GCM with a 128- or 256-bit key. The kernel wants the AES key followed by the 4-byte salt in
     * one key, so {@code keyAndSalt} is 20 or 36 bytes. ICV 128 bits (also 64 and 96 are allowed by RFC 4106).
     */
    static Aead aesGcm(SecretBytes keyAndSalt) {
        Aead a = new Aead(RFC4106_GCM_AES, keyAndSalt, 128);
        a.validate();
        return a;
    }

    /** AES-CBC with a 128/192/256-bit key plus HMAC-SHA-256 with a 256-bit key, truncated to 128 bits (RFC 4868). */
    static CipherAuth aesCbcHmacSha256(SecretBytes cipherKey, SecretBytes authKey) {
        CipherAuth c = new CipherAuth(CBC_AES, cipherKey, HMAC_SHA256, authKey, 128);
        c.validate();
        return c;
    }

    /**
     * An AEAD transform.
     *
     * @param name Linux crypto API name
     * @param key key material including the salt
     * @param icvBits integrity check value length in bits
     */
    record Aead(String name, SecretBytes key, int icvBits) implements SaAlgorithm {
        @Override
        public void validate() {
            if (!RFC4106_GCM_AES.equals(name)) {
                throw new IpsecConfigException("AEAD algorithm '" + name + "' is not supported; use " + RFC4106_GCM_AES);
            }
            int len = key.length();
            if (len != 16 + GCM_SALT_BYTES && len != 32 + GCM_SALT_BYTES) {
                throw new IpsecConfigException(RFC4106_GCM_AES + " needs a 16- or 32-byte AES key followed by a 4-byte salt "
                        + "(20 or 36 bytes, 160 or 288 bits), got " + len + " bytes (" + len * 8 + " bits)");
            }
            if (icvBits != 64 && icvBits != 96 && icvBits != 128) {
                throw new IpsecConfigException(RFC4106_GCM_AES + " ICV must be 64, 96 or 128 bits (128 recommended), got " + icvBits);
            }
        }
    }

    /**
     * A cipher plus an integrity algorithm.
     *
     * @param cipher Linux crypto API name of the cipher
     * @param cipherKey cipher key
     * @param auth Linux crypto API name of the integrity algorithm
     * @param authKey integrity key
     * @param truncBits ICV length in bits
     */
    record CipherAuth(String cipher, SecretBytes cipherKey, String auth, SecretBytes authKey, int truncBits)
            implements SaAlgorithm {
        @Override
        public void validate() {
            if (!CBC_AES.equals(cipher)) {
                throw new IpsecConfigException("cipher '" + cipher + "' is not supported; use " + CBC_AES + " (or " + RFC4106_GCM_AES + ")");
            }
            int len = cipherKey.length();
            if (len != 16 && len != 24 && len != 32) {
                throw new IpsecConfigException(CBC_AES + " needs a 16, 24 or 32-byte key, got " + len + " bytes (" + len * 8 + " bits)");
            }
            if (!HMAC_SHA256.equals(auth)) {
                throw new IpsecConfigException("integrity algorithm '" + auth + "' is not supported; use " + HMAC_SHA256);
            }
            if (authKey.length() != 32) {
                throw new IpsecConfigException(HMAC_SHA256 + " needs a 32-byte key, got " + authKey.length() + " bytes");
            }
            if (truncBits != 128) {
                throw new IpsecConfigException(HMAC_SHA256 + " must be truncated to 128 bits for ESP (RFC 4868), got " + truncBits);
            }
        }
    }
}
